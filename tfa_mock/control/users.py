"""Control views of what users get and hold: inbox, users, TOTP (API.md §7.5-7.7).

Each view reads its input, calls one backend operation and shapes the document;
waiting for a message and device rules live in the backend.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from flask import Response

from tfa_core import otp

from ..api._endpoint import backend
from ..backend.admin import InboxFilter
from ..backend.records import Channel, UserRecord
from ..wire import errors
from ..wire.params import Params, get_bool, get_int, get_str
from ._http import OK, number, path_id, read_body, read_query, reply
from .guard import bp

__all__ = ["user_document"]

_CHANNELS = ("sms", "voice", "email")


def user_document(user: UserRecord) -> dict[str, Any]:
    """A user as the control API shows it (API.md §7.6): secret in base32."""
    return {
        "id": user.id,
        "app_id": user.app_id,
        "email": user.email,
        "phone": user.phone,
        "country_code": user.country_code,
        "cellphone": user.cellphone,
        "confirmed": user.confirmed,
        "suspended": user.suspended,
        "generic_enrolled": user.generic_enrolled,
        "secret": otp.b32encode(user.key),
        "devices": [] if user.device is None else [asdict(user.device)],
        "created_at": user.created_at,
    }


# -- §7.5 inbox ----------------------------------------------------------------------


def _inbox_filter(params: Params) -> InboxFilter:
    channel = get_str(params, "channel") or None
    if channel is not None and channel not in _CHANNELS:
        raise errors.InvalidParameter("channel", "Must be one of: sms, voice, email")
    return InboxFilter(
        to=get_str(params, "to") or None,
        channel=cast("Channel | None", channel),
        user_id=get_int(params, "user_id"),
        app_id=get_int(params, "app_id"),
        after=get_int(params, "after"),
    )


@bp.get("/inbox")
def inbox_list() -> Response:
    messages = backend().inbox(_inbox_filter(read_query()))
    return reply({"messages": [asdict(m) for m in messages]})


@bp.get("/inbox/latest")
def inbox_latest() -> Response:
    params = read_query()
    where = _inbox_filter(params)
    wait = 0.0
    if get_str(params, "wait"):
        wait = number(params["wait"], "wait", "Must be a non-negative number")
    found = backend().inbox_latest(where, wait=wait)
    if found is None:
        raise errors.NotFound()
    return reply(asdict(found))


@bp.delete("/inbox")
def inbox_clear() -> Response:
    backend().clear_inbox()
    return reply(OK)


# -- §7.6-7.7 users, devices, TOTP ---------------------------------------------------


@bp.get("/users/<user_id>")
def user_get(user_id: str) -> Response:
    uid = path_id(user_id, errors.UserNotFound)
    return reply(user_document(backend().user_record(uid)))


@bp.post("/users/<user_id>/devices")
def device_install(user_id: str) -> Response:
    uid = path_id(user_id, errors.UserNotFound)
    kind = read_body().get("kind")
    user = backend().install_device(uid, "android" if kind is None else kind)
    return reply(user_document(user))


@bp.delete("/users/<user_id>/devices")
def device_remove(user_id: str) -> Response:
    uid = path_id(user_id, errors.UserNotFound)
    return reply(user_document(backend().remove_device(uid)))


@bp.get("/users/<user_id>/totp")
def user_totp(user_id: str) -> Response:
    uid = path_id(user_id, errors.UserNotFound)
    generic = get_bool(read_query(), "generic", default=False)
    return reply(asdict(backend().totp_view(uid, generic=generic)))
