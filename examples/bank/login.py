"""Log-in: a password, then a code (use case 1), or a push alone (use case 2).

The second step offers a code by SMS or by voice call, or the tfa app's own code
(the API's device TOTP): all three are checked by ``verify_token``. Accounts that
enrolled the bank's authenticator (use case 7) may give its code instead, checked
by the Guard. The passwordless log-in starts a OneTouch push whose details are the
browser, the address and the time; :mod:`push` waits for the answer.
"""

from __future__ import annotations

import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from tfa_core.client import TfaApiError

from .authenticator import totp_refusal
from .db import Account
from .web import bank, log_in, password_matches

__all__ = ["bp"]

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("login.html")
    email = request.form.get("email", "").strip()
    limit, now = bank().config.password_attempts, bank().now()
    tried = bank().store.hit(f"password:{email.lower()}", limit, now=now)
    if not tried.allowed:  # guessing a password is as throttled as guessing a code
        error = f"Too many log-in attempts: try again in {tried.retry_after} s."
        return render_template("login.html", email=email, error=error), 429
    account = bank().db.account_by_email(email)
    if not password_matches(account, request.form.get("password", "")):
        error = "Wrong e-mail or password."
        return render_template("login.html", email=email, error=error), 400
    assert account is not None
    if account.tier == 0:  # no verified phone yet: nothing to send a code to
        log_in(account.id)
        flash("Logged in. Verify your phone to send money.", "ok")
        return redirect(url_for("account.home"))
    session.clear()
    session["half"] = account.id  # the password is right; the code is next
    return redirect(url_for("auth.second_factor"))


def _half_account() -> Account | None:
    account_id = session.get("half")
    return bank().db.account(account_id) if isinstance(account_id, int) else None


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor() -> ResponseReturnValue:
    account = _half_account()
    if account is None or account.tfa_id is None:
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("login_code.html", account=account)
    action = request.form.get("action", "")
    if action in ("sms", "call"):
        _send(account.tfa_id, action)
        return redirect(url_for("auth.second_factor"))
    code = request.form.get("code", "").strip()
    if action == "authenticator":
        error = totp_refusal(account, code)
    else:
        error = _token_refusal(account.tfa_id, code)
    if error is not None:
        return render_template("login_code.html", account=account, error=error), 400
    log_in(account.id)
    flash("Logged in with two factors.", "ok")
    return redirect(url_for("account.home"))


def _send(tfa_id: int, via: str) -> None:
    try:
        if via == "call":
            sent = bank().tfa.request_call(tfa_id, force=True)
            flash(f"Calling {sent.cellphone} to say your code.", "ok")
        else:
            sent = bank().tfa.request_sms(tfa_id, force=True)
            flash(f"We texted a code to {sent.cellphone}.", "ok")
    except TfaApiError as error:
        if error.status != 429:
            raise
        wait = error.retry_after or 60
        flash(f"Too many codes sent: try again in {wait} s.", "error")


def _token_refusal(tfa_id: int, code: str) -> str | None:
    """Why a code from SMS, voice or the tfa app is refused, or None."""
    if not code.isdigit() or not 6 <= len(code) <= 12:
        return "Enter the code: 6 to 12 digits."
    try:
        bank().tfa.verify_token(tfa_id, code)
    except TfaApiError as error:
        if error.error_code == "60019":
            return "That code was used already. Wait for a new one."
        if error.token_invalid:
            return "That code is wrong or has expired."
        if error.status == 429:
            return f"Too many wrong codes: try again in {error.retry_after or 60} s."
        raise
    return None


@bp.route("/login/push", methods=["GET", "POST"])
def passwordless() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("login_push.html")
    email = request.form.get("email", "").strip()
    account = bank().db.account_by_email(email)
    if account is None or account.tfa_id is None:
        error = (
            "No account with a verified phone has this e-mail. Log in with your"
            " password instead."
        )
        return render_template("login_push.html", email=email, error=error), 400
    now = bank().now()
    details = {
        "Browser": request.user_agent.string[:200] or "unknown",
        "IP": request.remote_addr or "unknown",
        "Time": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(now)),
    }
    uuid = (
        bank()
        .tfa.create_approval_request(
            account.tfa_id,
            "Log in to Example Bank",
            details=details,
            seconds_to_expire=bank().config.push_ttl,
        )
        .uuid
    )
    bank().db.add_push(uuid=uuid, account_id=account.id, purpose="login", now=now)
    session.clear()
    session["push"] = uuid  # only this browser may finish this log-in
    return redirect(url_for("push.wait", uuid=uuid))


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    session.clear()
    flash("Logged out.", "ok")
    return redirect(url_for("auth.login"))
