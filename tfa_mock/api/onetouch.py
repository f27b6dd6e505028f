"""API endpoints of OneTouch approval requests (API.md §3.18-3.19) and the one
builder of the approval-request document (also used by the control API, §7.8-7.9).

The handlers read the parameters as clients send them — JSON, form bracket keys
(``details[Account Number]=…``, ``logos[][res]=…``, ``logos[0][res]=…``) or XML — and
shape them for tfa_core.approval, which holds the rules. The parameters are read
only after the user checks (``read_fields``), as the error order of §3.18 asks.

Choices where API.md is silent:

* ``details``/``hidden_details`` given as a plain string (the product page's
  ``curl -d details="$OT_DETAILS"``): a non-blank string is not an object, so it is
  refused with 60004 and the details reason; a blank one counts as not given, like
  an empty object. A list is refused the same way (the empty list counts as not
  given: PHP sends an empty map as ``[]``).
* A JSON float detail value becomes its text as ``get_str`` writes it (``2.5``,
  ``5.0`` -> ``5``). Detail keys and values are not trimmed (API.md §1.3).
* ``logos`` elements: ``res`` and ``url`` strings are trimmed, other keys dropped,
  a non-object element is refused with the logos reason.
* ``seconds_to_expire`` that is not an integer (``"abc"``, ``"-5"``, ``1.5``,
  ``true``) -> 60004 with the reason ``Must be a non-negative integer``.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from flask import Blueprint

from tfa_core import approval

from ..backend.onetouch import ApprovalFields
from ..backend.records import ApprovalRecord
from ..wire import errors
from ..wire.params import Params, as_list, get_int, get_str
from ._endpoint import Call, Reply, endpoint

__all__ = ["approval_document", "bp", "read_fields"]

bp = Blueprint("onetouch", __name__)

# The 60004 reasons of API.md §2, word for word.
_BAD_DETAILS = "Must be an object of at most 50 string values"
_BAD_LOGOS = "Must be a list of {res, url} with res one of: default, low, med, high"
_BAD_SECONDS = "Must be a non-negative integer"


def approval_document(record: ApprovalRecord, now: float) -> dict[str, Any]:
    """The approval-request document of API.md §3.19 at *now*, keys in its order.

    The status is the lazily expired one; ``processed_at`` and ``updated_at`` follow
    API.md §4.1.
    """
    request = record.request
    processed = approval.processed_at(request, now=now)
    return {
        "_app_name": record.app_name,
        "_app_serial_id": record.app_id,
        "_authy_id": record.user_id,
        "_id": record.object_id,
        "_user_email": record.user_email,
        "app_id": record.app_object_id,
        "created_at": _timestamp(request.created_at),
        "notified": record.notified,
        "processed_at": None if processed is None else _timestamp(processed),
        "seconds_to_expire": request.seconds_to_expire,
        "status": approval.status_at(request, now=now).value,
        "updated_at": _timestamp(
            request.created_at if processed is None else processed
        ),
        "user_id": record.user_object_id,
        "uuid": request.uuid,
        "details": None if request.details is None else dict(request.details),
        "hidden_details": (
            None if request.hidden_details is None else dict(request.hidden_details)
        ),
        "logos": (
            None
            if request.logos is None
            else [logo.to_dict() for logo in request.logos]
        ),
        "message": request.message,
    }


def _timestamp(when: float) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC, whole seconds (API.md §3.19)."""
    moment = datetime.fromtimestamp(math.floor(when), tz=timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def read_fields(params: Params) -> ApprovalFields:
    """The parameters of §3.18, shaped for tfa_core.approval.create (60004 on
    shapes it cannot take; the values' rules are checked there)."""
    message = get_str(params, "message", required=True)
    if message is None:  # required: get_str raised already
        raise errors.InvalidParameter("message", "Parameter is required")
    return ApprovalFields(
        message=message,
        details=_details(params, "details"),
        hidden_details=_details(params, "hidden_details"),
        logos=_logos(params),
        seconds_to_expire=_seconds_to_expire(params),
    )


def _details(params: Params, name: str) -> dict[str, str] | None:
    """An object of text values; number, boolean and null values become text."""
    value = params.get(name)
    if value is None or value == [] or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, dict):
        raise errors.InvalidParameter(name, _BAD_DETAILS)
    shown: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, (dict, list)):
            raise errors.InvalidParameter(name, _BAD_DETAILS)
        text = get_str({"value": item}, "value", trim=False)
        shown[str(key)] = "" if text is None else text
    return shown or None


def _logos(params: Params) -> list[dict[str, object]] | None:
    """A list of ``{res, url}`` from a list or an integer-keyed object."""
    value = params.get("logos")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    items = as_list(value)
    if items is None:
        raise errors.InvalidParameter("logos", _BAD_LOGOS)
    logos: list[dict[str, object]] = []
    for item in items:
        if not isinstance(item, dict):
            raise errors.InvalidParameter("logos", _BAD_LOGOS)
        logos.append({key: _trimmed(item.get(key)) for key in ("res", "url")})
    return logos or None


def _trimmed(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _seconds_to_expire(params: Params) -> int | None:
    """An integer, or None (the default) when null or blank (API.md §3.18)."""
    try:
        return get_int(params, "seconds_to_expire")
    except errors.InvalidParameter:
        raise errors.InvalidParameter("seconds_to_expire", _BAD_SECONDS) from None


@endpoint(
    bp,
    "/onetouch/<fmt:fmt>/users/<id>/approval_requests",
    "POST",
    name="onetouch",
    phone_of=lambda call: call.backend.user_phone(
        call.app.app_id, call.params.get("id")
    ),
)
def create(call: Call) -> Reply:
    """POST /onetouch/{format}/users/{id}/approval_requests (API.md §3.18)."""
    params = call.params
    record = call.backend.create_approval(
        call.app.app_id, params.get("id"), lambda: read_fields(params)
    )
    return {"approval_request": {"uuid": record.request.uuid}, "success": True}


@endpoint(
    bp,
    "/onetouch/<fmt:fmt>/approval_requests/<uuid>",
    "GET",
    name="onetouch/status",
)
def status(call: Call) -> Reply:
    """GET /onetouch/{format}/approval_requests/{uuid} (API.md §3.19)."""
    uuid = call.params.get("uuid")
    record, now = call.backend.get_approval(call.app.app_id, str(uuid))
    return {"approval_request": approval_document(record, now), "success": True}
