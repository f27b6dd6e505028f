"""OneTouch pushes: the waiting page, its status, the outcome, and the callback.

A push (a log-in, use case 2, or a large transfer, use case 3) is decided once, by
whichever comes first: the signed callback tfa sends (checked with
``Client.verify_callback``, which uses ``tfa_core.signature``) or a poll of the
request's status. The poll is the fallback: with a callback URL configured the API
is asked only when no callback came for ``poll_fallback_after`` seconds. The
waiting page asks :func:`status` every second and moves on by itself.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from .db import Push
from .web import bank, current_account, log_in, money

__all__ = ["bp", "refresh"]

bp = Blueprint("push", __name__)

DECISIONS = ("approved", "denied", "expired")


def _own_push(uuid: str) -> Push:
    """The push, if this browser may see it: a log-in push only in the browser that
    asked for it, a transfer push only in its account's session."""
    push = bank().db.push(uuid)
    if push is None:
        abort(404)
    if push.purpose == "login":
        mine = session.get("push") == uuid
    else:
        account = current_account()
        mine = account is not None and account.id == push.account_id
    if not mine:
        abort(404)
    return push


def refresh(push: Push) -> Push:
    """The push, after asking the API if it is still pending and no callback came
    in time (or none is configured)."""
    config, now = bank().config, bank().now()
    waited = now - push.polled
    if push.status != "pending" or (
        config.callback_url is not None and waited < config.poll_fallback_after
    ):
        return push
    info = bank().tfa.get_approval_request(push.uuid)
    bank().db.mark_polled(push.uuid, now)
    if not info.is_pending:
        bank().db.decide_push(push.uuid, info.status.value, "poll", now)
    found = bank().db.push(push.uuid)
    assert found is not None
    return found


@bp.route("/push/<uuid>")
def wait(uuid: str) -> str | Response:
    push = refresh(_own_push(uuid))
    if push.status != "pending":
        return redirect(url_for("push.done", uuid=uuid))
    step_up = bank().config.step_up_above
    return render_template("push_wait.html", push=push, money=money, step_up=step_up)


@bp.route("/push/<uuid>/status")
def status(uuid: str) -> Response:
    push = refresh(_own_push(uuid))
    return jsonify(status=push.status, next=url_for("push.done", uuid=uuid))


@bp.route("/push/<uuid>/done")
def done(uuid: str) -> Response:
    push = refresh(_own_push(uuid))
    if push.status == "pending":
        return redirect(url_for("push.wait", uuid=uuid))
    if push.purpose == "login":
        return _finish_login(push)
    what = f"Transfer of {money(push.amount or 0)} to {push.payee}"
    if push.outcome == "made":
        flash(f"{what} made: you approved it on your phone.", "ok")
    elif push.outcome == "insufficient":
        flash(f"{what} not made: your balance is too low.", "error")
    elif push.status == "denied":
        flash(f"{what} not made: you denied it on your phone.", "error")
    else:
        flash(f"{what} not made: the approval request expired unanswered.", "error")
    return redirect(url_for("account.home"))


def _finish_login(push: Push) -> Response:
    if push.status == "approved" and bank().db.use_push(push.uuid):
        log_in(push.account_id)
        flash("Logged in: you approved the request on your phone.", "ok")
        return redirect(url_for("account.home"))
    session.pop("push", None)
    if push.status == "denied":
        flash("Log-in denied on your phone: you are not logged in.", "error")
    elif push.status == "expired":
        flash("The log-in request expired unanswered: you are not logged in.", "error")
    else:
        flash("This log-in request was used already.", "error")
    return redirect(url_for("auth.login"))


@bp.route("/tfa/onetouch/callback", methods=["GET", "POST"])
def callback() -> tuple[str, int]:
    """tfa's callback: checked against the configured URL, not ``request.url``."""
    config = bank().config
    if config.callback_url is None:
        abort(404)
    # POST: the raw body; GET: the raw query string (it is the signed string).
    data = request.get_data() if request.method == "POST" else request.query_string
    if not bank().tfa.verify_callback(
        request.headers, request.method, config.callback_url, data
    ):
        abort(401)
    nonce = request.headers.get("X-TFA-Signature-Nonce") or request.headers.get(
        "X-Authy-Signature-Nonce", ""
    )
    if not nonce.isdigit() or abs(bank().now() - int(nonce)) > config.callback_max_age:
        abort(401)  # an old callback replayed
    event = (
        request.get_json(silent=True, force=True)
        if request.method == "POST"
        else request.args
    )
    uuid, status = (event or {}).get("uuid"), (event or {}).get("status")
    if isinstance(uuid, str) and status in DECISIONS:
        bank().db.decide_push(uuid, status, "callback", bank().now())
    return "", 204
