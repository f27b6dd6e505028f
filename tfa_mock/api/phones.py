"""API endpoints of phone verification and phone information (API.md §3.14-3.17).

Thin handlers: read the parameters (required ones and their types, in the order of
§3.14), call one backend operation, build the body in the key order of API.md. The
rules live in tfa_mock.backend.phones and tfa_core.verification.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint

from ..phone import parse_phone
from ..wire import errors
from ..wire.params import get_int, get_str
from ._endpoint import Call, Reply, endpoint

__all__ = ["bp"]

bp = Blueprint("phones", __name__)


def _number_of(call: Call) -> str | None:
    """The E.164 number a request concerns, for faults with ``to`` (API.md §7.12)."""
    try:
        country_code = get_int(call.params, "country_code", allow_plus=True)
        phone_number = get_str(call.params, "phone_number")
    except errors.ApiError:
        return None
    if country_code is None or not phone_number:
        return None
    return parse_phone(country_code, phone_number)


def _required_str(call: Call, name: str) -> str:
    value = get_str(call.params, name, required=True)
    if value is None:  # get_str raised already; this narrows the type
        raise errors.InvalidParameter(name, "Parameter is required")
    return value


def _number(call: Call) -> tuple[int, str]:
    """The required ``country_code`` and ``phone_number`` (as submitted, trimmed)."""
    country_code = get_int(call.params, "country_code", required=True, allow_plus=True)
    if country_code is None:  # get_int raised already; this narrows the type
        raise errors.InvalidParameter("country_code", "Parameter is required")
    return country_code, _required_str(call, "phone_number")


@endpoint(
    bp,
    "/protected/<fmt:fmt>/phones/verification/start",
    "POST",
    name="phones/verification/start",
    phone_of=_number_of,
)
def verification_start(call: Call) -> Reply:
    """POST …/phones/verification/start (API.md §3.14)."""
    params = call.params
    via = _required_str(call, "via")
    country_code, phone_number = _number(call)
    code_length = get_int(params, "code_length")
    custom_message = get_str(params, "custom_message") or None
    custom_code = get_str(params, "custom_code") or None
    started = call.backend.start_verification(
        call.app.app_id,
        via=via,
        country_code=country_code,
        phone_number=phone_number,
        code_length=code_length,
        custom_message=custom_message,
        custom_code=custom_code,
        drop=call.drop_message,
    )
    if via == "sms":
        message = f"Text message sent to +{country_code} {phone_number}."
    else:
        message = f"Call to +{country_code} {phone_number} initiated."
    return {
        "carrier": started.carrier,
        "is_cellphone": started.is_cellphone,
        "is_ported": False,
        "message": message,
        "seconds_to_expire": started.seconds_to_expire,
        "uuid": started.uuid,
        "success": True,
    }


@endpoint(
    bp,
    "/protected/<fmt:fmt>/phones/verification/check",
    "GET",
    name="phones/verification/check",
    phone_of=_number_of,
)
def verification_check(call: Call) -> Reply:
    """GET …/phones/verification/check (API.md §3.15)."""
    country_code, phone_number = _number(call)
    code = _required_str(call, "verification_code")
    call.backend.check_verification(
        call.app.app_id,
        country_code=country_code,
        phone_number=phone_number,
        code=code,
    )
    return {"message": "Verification code is correct.", "success": True}


@endpoint(
    bp,
    "/protected/<fmt:fmt>/phones/verification/status",
    "GET",
    name="phones/verification/status",
    phone_of=_number_of,
)
def verification_status(call: Call) -> Reply:
    """GET …/phones/verification/status (API.md §3.16)."""
    params = call.params
    uuid = get_str(params, "uuid") or None
    country_code = phone_number = None
    if uuid is None:
        country_code = get_int(params, "country_code", allow_plus=True)
        phone_number = get_str(params, "phone_number") or None
    state = call.backend.verification_status(
        call.app.app_id,
        uuid=uuid,
        country_code=country_code,
        phone_number=phone_number,
    )
    return {
        "message": "Phone verification status.",
        "status": state.status.value,
        "seconds_to_expire": state.seconds_to_expire,
        "uuid": state.uuid,
        "success": True,
    }


@endpoint(
    bp,
    "/protected/<fmt:fmt>/phones/info",
    "GET",
    name="phones/info",
    phone_of=_number_of,
)
def info(call: Call) -> Reply:
    """GET …/phones/info (API.md §3.17)."""
    country_code, phone_number = _number(call)
    found = call.backend.phone_info(
        country_code=country_code, phone_number=phone_number
    )
    as_of = datetime.fromtimestamp(found.as_of, tz=timezone.utc)
    return {
        "message": f"Phone number information as of {as_of:%Y-%m-%d %H:%M:%S} UTC",
        "ported": False,
        "provider": found.provider,
        "success": True,
        "type": found.kind,
    }
