"""Password reset proven by a phone verification code (use case 4).

The code goes to the number on file (``phones/verification/start``); only a right,
unexpired code (``phones/verification/check``) changes the password. The answer to
the e-mail form is the same whether or not the account exists.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from tfa_core.client import TfaApiError

from .phones import code_refusal
from .web import bank, hash_password

__all__ = ["bp"]

bp = Blueprint("reset", __name__)

SENT = (
    "If an account with a verified phone has this e-mail, we texted a code to the"
    " phone number on file."
)


@bp.route("/reset", methods=["GET", "POST"])
def start() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("reset.html")
    account = bank().db.account_by_email(request.form.get("email", "").strip())
    session.clear()
    session["reset"] = 0
    if account is not None and account.phone_verified:
        try:
            bank().tfa.start_phone_verification(account.country_code, account.phone)
        except TfaApiError as error:
            if error.status != 429:
                raise
            wait = error.retry_after or 60
            flash(
                f"Too many codes sent to this number; try again in {wait} s.", "error"
            )
            return redirect(url_for("reset.start"))
        session["reset"] = account.id
    flash(SENT, "ok")
    return redirect(url_for("reset.finish"))


@bp.route("/reset/code", methods=["GET", "POST"])
def finish() -> ResponseReturnValue:
    if "reset" not in session:
        return redirect(url_for("reset.start"))
    if request.method == "GET":
        return render_template("reset_code.html")
    password = request.form.get("password", "")
    code = request.form.get("code", "").strip()
    account = bank().db.account(int(session["reset"]))
    if len(password) < 8:
        error: str | None = "Choose a password of at least 8 characters."
    elif account is None:
        error = "That code is wrong. Check the message and try again."
    else:
        error = code_refusal(bank().tfa, account.country_code, account.phone, code)
    if error is not None or account is None:
        error = f"{error} Your password was not changed."
        return render_template("reset_code.html", error=error), 400
    bank().db.set_password(account.id, hash_password(password))
    if account.tfa_id is not None:
        bank().tfa.register_activity(account.tfa_id, "password_reset")
    session.clear()
    flash("Password changed. Log in with the new one.", "ok")
    return redirect(url_for("auth.login"))
