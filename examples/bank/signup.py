"""Sign-up and phone verification (use cases 5 and 6).

Sign-up is rate limited per client address (``tfa_core.ratelimit``'s sliding
window, kept atomically in a ``tfa_core.stores.SQLiteStore``), refuses
numbers that are not mobile (the API's phone information) and numbers another
account verified. The account starts at tier 0; the phone verification code
(``phones/verification``) lifts it to tier 1 and registers the user with tfa, which
the second factor and the pushes need.
"""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from tfa_core.client import TfaApiError

from .db import PhoneTaken
from .phones import code_refusal, e164, mobile_refusal
from .web import bank, current_account, hash_password, log_in, login_required, money

__all__ = ["bp"]

bp = Blueprint("signup", __name__)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TAKEN = "This phone number already belongs to another Example Bank account."


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("signup.html", form={})
    form = request.form
    error = _refusal(form.get("email", ""), form.get("password", ""))
    cc, number = form.get("country_code", "").strip(), form.get("phone", "").strip()
    if error is None and (not cc.isdigit() or not number):
        error = "Enter your mobile number with its country code."
    normal = e164(int(cc), number) if error is None else None
    if error is None and normal is None:
        error = "This is not a valid phone number."
    if error is None and normal and bank().db.phone_taken(normal):
        error = TAKEN
    if error is None:
        error = mobile_refusal(bank().tfa, int(cc), number)
    if error is not None or normal is None:
        return render_template("signup.html", form=form, error=error), 400
    account_id = bank().db.create_account(
        email=form["email"].strip(),
        password_hash=hash_password(form["password"]),
        country_code=int(cc),
        phone=number,
        e164=normal,
        balance=bank().config.opening_balance,
    )
    if account_id is None:
        error = "An account with this e-mail exists: log in, or reset its password."
        return render_template("signup.html", form=form, error=error), 400
    log_in(account_id)
    _send_code("sms")
    return redirect(url_for("signup.verify_phone"))


def _refusal(email: str, password: str) -> str | None:
    """Why this sign-up attempt is refused before anything else is looked at."""
    address = request.remote_addr or "unknown"
    limit = bank().config.signup_limit
    decision = bank().store.hit(f"signup:{address}", limit, now=bank().now())
    if not decision.allowed:
        minutes = -(-decision.retry_after // 60)
        return (
            "Too many sign-up attempts from your address. Try again in"
            f" {minutes} minute{'s' if minutes != 1 else ''}."
        )
    if not _EMAIL.match(email.strip()):
        return "Enter a valid e-mail address."
    if len(password) < 8:
        return "Choose a password of at least 8 characters."
    if bank().db.account_by_email(email.strip()) is not None:
        return "An account with this e-mail exists: log in, or reset its password."
    return None


def _send_code(via: str) -> None:
    account = current_account()
    assert account is not None
    try:
        started = bank().tfa.start_phone_verification(
            account.country_code, account.phone, via="call" if via == "call" else "sms"
        )
    except TfaApiError as error:
        if error.status != 429:
            raise
        wait = error.retry_after or 60
        flash(f"Too many codes sent to this number; try again in {wait} s.", "error")
        return
    flash(started.message, "ok")


@bp.route("/verify-phone", methods=["GET", "POST"])
@login_required
def verify_phone() -> ResponseReturnValue:
    account = current_account()
    assert account is not None
    if account.phone_verified:
        return redirect(url_for("account.home"))
    if request.method == "GET":
        return render_template("verify_phone.html", account=account)
    if request.form.get("action") in ("sms", "call"):
        _send_code(request.form["action"])
        return redirect(url_for("signup.verify_phone"))
    code = request.form.get("code", "").strip()
    error = code_refusal(bank().tfa, account.country_code, account.phone, code)
    if error is None and bank().db.phone_taken(account.e164, by_other_than=account.id):
        error = TAKEN
    if error is not None:
        return render_template("verify_phone.html", account=account, error=error), 400
    user = bank().tfa.register_user(account.email, account.phone, account.country_code)
    try:
        bank().db.verify_phone(account.id, user.user_id)
    except PhoneTaken:
        return render_template("verify_phone.html", account=account, error=TAKEN), 400
    cap = money(bank().config.tier_caps[1])
    flash(
        f"Phone verified: your account is now at tier 1 (transfers up to {cap}).", "ok"
    )
    return redirect(url_for("account.home"))
