"""The bank's own authenticator app, without the API (use case 7; tier 2).

``tfa_core`` (vendorable: copy the folder) makes the key and the otpauth URI; segno
draws the QR code the page shows as a PNG; ``tfa_core.guard.Guard`` on a
``SQLiteStore`` checks each code, so a code is accepted once and guesses are
throttled, however many workers serve the site. The key stays server-side: the
session never holds it.
"""

from __future__ import annotations

import io
import random

import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from tfa_core import b32encode, new_key, otpauth_uri

from .db import Account
from .web import bank, current_account, login_required, money

__all__ = ["bp", "totp_refusal"]

bp = Blueprint("authenticator", __name__)

_SYSTEM = random.SystemRandom()


def totp_refusal(account: Account, code: str, key: bytes | None = None) -> str | None:
    """Why an authenticator *code* is refused (None: accepted, and used up)."""
    key = key or account.totp_key
    if key is None:
        return "This account has no authenticator app set up."
    outcome = bank().guard.verify_totp(str(account.id), key, code, now=bank().now())
    if outcome.accepted:
        return None
    if outcome.reason == "replayed":
        return "That code was used already. Wait for the next one (every 30 s)."
    if outcome.reason == "throttled":
        return f"Too many attempts: try again in {outcome.retry_after} s."
    return "That code is wrong."


def _uri(account: Account, key: bytes) -> str:
    return otpauth_uri(key, label=account.email, issuer=bank().config.issuer)


@bp.route("/settings/authenticator", methods=["GET", "POST"])
@login_required
def enroll() -> ResponseReturnValue:
    account = current_account()
    assert account is not None
    if account.tier < 1:
        flash("Verify your phone before you set up an authenticator app.", "error")
        return redirect(url_for("account.settings"))
    if request.method == "POST":
        bank().db.set_totp_pending(account.id, new_key(_SYSTEM))
        return redirect(url_for("authenticator.enroll"))
    if account.totp_pending is None:
        return redirect(url_for("account.settings"))
    return _page(account.totp_pending)


def _page(key: bytes, error: str | None = None) -> str:
    """The set-up page: the QR code, the key for typing in, the confirm form."""
    secret = b32encode(key)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template("authenticator.html", secret=grouped, error=error)


@bp.route("/settings/authenticator/qr.png")
@login_required
def qr() -> Response:
    account = current_account()
    assert account is not None
    if account.totp_pending is None:
        return Response("No authenticator set-up in progress.", 404)
    png = io.BytesIO()
    segno.make(_uri(account, account.totp_pending), error="m").save(
        png, kind="png", scale=6, border=4
    )
    return Response(
        png.getvalue(), mimetype="image/png", headers={"Cache-Control": "no-store"}
    )


@bp.route("/settings/authenticator/confirm", methods=["POST"])
@login_required
def confirm() -> ResponseReturnValue:
    account = current_account()
    assert account is not None
    if account.totp_pending is None:
        return redirect(url_for("account.settings"))
    code = request.form.get("code", "").strip()
    error = totp_refusal(account, code, account.totp_pending)
    if error is not None:
        return _page(account.totp_pending, error), 400
    bank().db.confirm_totp(account.id, account.totp_pending)
    cap = money(bank().config.tier_caps[2])
    flash(f"Authenticator app set up: your account is at tier 2 (up to {cap}).", "ok")
    return redirect(url_for("account.settings"))
