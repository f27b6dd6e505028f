"""API endpoints of tokens: send by SMS, voice call or e-mail; verify (API.md
§3.8-3.11).

Thin handlers: pick the parameters, call one backend operation, build the body in
the key order of API.md (masks and exact message strings live here). ``locale``,
``shortcode`` and ``user_ip`` are accepted and not used: texts stay English.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..backend.records import UserRecord
from ..backend.tokens import SendChannel, VerifyOutcome
from ..wire.params import get_bool, get_str
from ._endpoint import Call, Reply, endpoint

__all__ = ["bp", "cellphone_mask", "device_body"]

bp = Blueprint("tokens", __name__)

_P = "/protected/<fmt:fmt>"

SMS_IGNORED = (
    "Ignored: SMS is not needed for smartphones. "
    "Pass force=true if you want to actually send it anyway."
)
# API.md §3.9: two spaces after "using".
CALL_IGNORED = (
    "Call ignored. User is using  App Tokens and this call is not necessary. "
    "Pass force=true if you still want to call users that are using the App."
)


def cellphone_mask(user: UserRecord) -> str:
    """``+<cc>-XXX-XXX-XX<nn>``, nn the national number's last two digits (§3.8)."""
    national = user.phone[1 + len(str(user.country_code)) :]
    return f"+{user.country_code}-XXX-XXX-XX{national[-2:]}"


def _phone_of(call: Call) -> str | None:
    return call.backend.user_phone(call.app.app_id, call.params.get("id"))


def _send(call: Call, channel: SendChannel) -> tuple[UserRecord, bool]:
    outcome = call.backend.send_token(
        call.app.app_id,
        call.params.get("id"),
        channel=channel,
        force=get_bool(call.params, "force", default=False),
        action=get_str(call.params, "action") or None,
        action_message=get_str(call.params, "action_message") or None,
        drop=call.drop_message,
    )
    return outcome.user, outcome.ignored


def _ignored(message: str, user: UserRecord) -> Reply:
    return {
        "message": message,
        "cellphone": cellphone_mask(user),
        "device": user.device.kind if user.device is not None else None,
        "ignored": True,
        "success": True,
    }


@endpoint(bp, f"{_P}/sms/<id>", "GET", name="sms", phone_of=_phone_of)
def sms(call: Call) -> Reply:
    """GET …/sms/{id} (API.md §3.8)."""
    user, ignored = _send(call, "sms")
    if ignored:
        return _ignored(SMS_IGNORED, user)
    return {
        "success": True,
        "message": "SMS token was sent",
        "cellphone": cellphone_mask(user),
    }


@endpoint(bp, f"{_P}/call/<id>", "GET", name="call", phone_of=_phone_of)
def voice_call(call: Call) -> Reply:
    """GET …/call/{id} (API.md §3.9)."""
    user, ignored = _send(call, "voice")
    if ignored:
        return _ignored(CALL_IGNORED, user)
    return {
        "cellphone": cellphone_mask(user),
        "message": "Call started...",
        "success": True,
    }


@endpoint(bp, f"{_P}/email/<id>", "POST", name="email", phone_of=_phone_of)
def email(call: Call) -> Reply:
    """POST …/email/{id} (API.md §3.10)."""
    address, email_id = call.backend.send_email_token(
        call.app.app_id, call.params.get("id"), drop=call.drop_message
    )
    return {
        "success": True,
        "message": "Email token was sent",
        "email": address,
        "email_id": email_id,
    }


def device_body(outcome: VerifyOutcome) -> dict[str, Any]:
    """The 13-key ``device`` object of a verify success (API.md §3.11)."""
    device_id: int | None = None
    os_type = "sms"
    registered: int | None = int(outcome.user_created_at)
    synced: int | None = None
    if outcome.method == "device" and outcome.device is not None:
        device_id, os_type = outcome.device.id, outcome.device.kind
        registered = synced = int(outcome.device.installed_at)
    elif outcome.method == "generic":
        os_type = "generic"
    return {
        "id": device_id,
        "os_type": os_type,
        "registration_date": registered,
        "registration_method": None,
        "registration_country": None,
        "registration_region": None,
        "registration_city": None,
        "country": None,
        "region": None,
        "city": None,
        "ip": None,
        "last_account_recovery_at": None,
        "last_sync_date": synced,
    }


@endpoint(bp, f"{_P}/verify/<token>/<id>", "GET", name="verify", phone_of=_phone_of)
def verify(call: Call) -> Reply:
    """GET …/verify/{token}/{id} (API.md §3.11); ``success`` is the string "true"."""
    token = call.params.get("token")
    outcome = call.backend.verify_token(
        call.app.app_id,
        call.params.get("id"),
        token if isinstance(token, str) else "",
        force=get_bool(call.params, "force", default=False),
        action=get_str(call.params, "action") or None,
    )
    return {
        "message": "Token is valid.",
        "token": "is valid",
        "success": "true",
        "device": device_body(outcome),
    }
