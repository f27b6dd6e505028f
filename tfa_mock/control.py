"""The control API of the mock under ``/_mock`` (API.md §7): routes to backend calls.

JSON bodies in (decoded by ``wire.params``), filters in the query string, compact
JSON out (``wire.render``). Each view reads its input, calls one backend operation
and shapes the document; the rules live in the backend. Bad input raises ApiErrors
(400/60002, 400/60004, 404, 409), which the app's one handler renders as the API
envelope. Control calls are not journaled (the journal takes API paths only). With a
control token configured, every ``/_mock`` request and the web inbox (``/``) need
``Authorization: Bearer <token>``; the web inbox and its event stream, which a
browser opens without headers, also take ``?control_token=<token>``.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, cast

from flask import Blueprint, Response, current_app, request

from tfa_core import otp

from . import __version__
from .api._endpoint import backend
from .api.onetouch import approval_document
from .backend.admin import InboxFilter
from .backend.records import LIMIT_KEYS, AppRecord, Channel, UserRecord
from .backend.validate import MAX_TIME
from .config import MockConfig
from .wire import errors
from .wire.params import Params, decode, get_bool, get_int, get_str
from .wire.render import content_type, render

__all__ = ["app_document", "bp", "check_control_token", "user_document"]

bp = Blueprint("control", __name__, url_prefix="/_mock")

_CHANNELS = ("sms", "voice", "email")
_STATUSES = ("pending", "approved", "denied", "expired")
_CLOCK_MOVES = ("freeze", "unfreeze", "set", "advance")
_SET_REASON = f"Must be a number from 0 to {MAX_TIME:.0f}"
_ADVANCE_REASON = "Must keep the clock before the year 10000"


# -- the control token (API.md §7.1) -------------------------------------------------


def check_control_token(*, allow_query: bool) -> None:
    """Raise InvalidControlToken unless the request carries the configured token
    (nothing to check when none is configured)."""
    config = cast(MockConfig, current_app.extensions["tfa_config"])
    expected = config.control_token
    if not expected:
        return
    given = ""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        given = header[7:].strip()
    elif allow_query:
        given = request.args.get("control_token", "")
    if not hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8")
    ):
        raise errors.InvalidControlToken()


@bp.before_app_request
def _guard() -> None:
    path = request.path
    if path == "/" or path == "/_mock" or path.startswith("/_mock/"):
        check_control_token(allow_query=path in ("/", "/_mock/events"))


# -- reading input -------------------------------------------------------------------


def _body() -> Params:
    """The JSON body (an empty body is ``{}``); malformed -> 400/60002."""
    return decode(
        content_type=request.headers.get("Content-Type"),
        body=request.get_data(cache=True),
        query=b"",
    )


def _query() -> Params:
    return decode(content_type=None, body=b"", query=request.query_string)


def _path_id(value: str, missing: type[errors.ApiError]) -> int:
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        raise missing()
    return int(value)


def _number(value: object, name: str, reason: str) -> float:
    """A finite number >= 0 from JSON or query text."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise errors.InvalidParameter(name, reason) from None
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 0
    ):
        raise errors.InvalidParameter(name, reason)
    return float(value)


def _reply(body: Mapping[str, Any], status: int = 200) -> Response:
    return Response(render(body, "json"), status, content_type=content_type("json"))


_OK: dict[str, Any] = {"ok": True}


# -- documents -----------------------------------------------------------------------


def app_document(app: AppRecord) -> dict[str, Any]:
    """An app as the control API shows it (API.md §7.4)."""
    limits = {}
    for key in LIMIT_KEYS:
        limit = app.limits.get(key)
        limits[key] = None if limit is None else limit.to_dict()
    return {
        "app_id": app.app_id,
        "object_id": app.object_id,
        "name": app.name,
        "api_key": app.api_key,
        "plan": app.plan,
        "callback_url": app.callback_url,
        "callback_method": app.callback_method,
        "token_length": app.token_length,
        "sms_token_ttl": app.sms_token_ttl,
        "sms_enabled": app.sms_enabled,
        "phone_calls_enabled": app.phone_calls_enabled,
        "onetouch_enabled": app.onetouch_enabled,
        "custom_codes_enabled": app.custom_codes_enabled,
        "callback_on_expiry": app.callback_on_expiry,
        "limits": limits,
    }


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


# -- §7.2 health and reset -----------------------------------------------------------


@bp.get("/health")
def health() -> Response:
    return _reply({"ok": True, "version": __version__})


@bp.post("/reset")
def reset() -> Response:
    app_id = get_int(_body(), "app_id")
    if app_id is None:
        backend().reset_all()
    else:
        backend().reset_app(app_id)
    return _reply(_OK)


# -- §7.3 clock ----------------------------------------------------------------------


def _clock_document() -> dict[str, Any]:
    clock = backend().clock
    return {"now": clock.now(), "frozen": clock.frozen}


@bp.get("/clock")
def clock_get() -> Response:
    return _reply(_clock_document())


@bp.post("/clock")
def clock_post() -> Response:
    data = _body()
    moves = [name for name in _CLOCK_MOVES if name in data]
    if len(moves) != 1:
        raise errors.InvalidParameter(
            "clock", "Must have exactly one of: freeze, unfreeze, set, advance"
        )
    move, clock = moves[0], backend().clock
    value = data[move]
    if move in ("freeze", "unfreeze"):
        if value is not True:
            raise errors.InvalidParameter(move, "Must be true")
        if move == "freeze":
            clock.freeze()
        else:
            clock.unfreeze()
    elif move == "set":
        when = _number(value, "set", _SET_REASON)
        if when > MAX_TIME:
            raise errors.InvalidParameter("set", _SET_REASON)
        clock.set(when)
    else:
        step = _number(value, "advance", "Must be a non-negative number")
        if clock.now() + step > MAX_TIME:
            raise errors.InvalidParameter("advance", _ADVANCE_REASON)
        clock.advance(step)
    return _reply(_clock_document())


# -- §7.4 apps -----------------------------------------------------------------------


@bp.get("/apps")
def apps_list() -> Response:
    return _reply({"apps": [app_document(a) for a in backend().list_apps()]})


@bp.post("/apps")
def apps_create() -> Response:
    return _reply(app_document(backend().new_app(_body())))


@bp.patch("/apps/<app_id>")
def apps_patch(app_id: str) -> Response:
    the_id = _path_id(app_id, errors.NotFound)
    return _reply(app_document(backend().patch_app(the_id, _body())))


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
    messages = backend().inbox(_inbox_filter(_query()))
    return _reply({"messages": [asdict(m) for m in messages]})


@bp.get("/inbox/latest")
def inbox_latest() -> Response:
    params = _query()
    where = _inbox_filter(params)
    wait = 0.0
    if get_str(params, "wait"):
        wait = _number(params["wait"], "wait", "Must be a non-negative number")
    found = backend().inbox_latest(where, wait=wait)
    if found is None:
        raise errors.NotFound()
    return _reply(asdict(found))


@bp.delete("/inbox")
def inbox_clear() -> Response:
    backend().clear_inbox()
    return _reply(_OK)


# -- §7.6-7.7 users, devices, TOTP ---------------------------------------------------


@bp.get("/users/<user_id>")
def user_get(user_id: str) -> Response:
    uid = _path_id(user_id, errors.UserNotFound)
    return _reply(user_document(backend().user_record(uid)))


@bp.post("/users/<user_id>/devices")
def device_install(user_id: str) -> Response:
    uid = _path_id(user_id, errors.UserNotFound)
    kind = _body().get("kind")
    user = backend().install_device(uid, "android" if kind is None else kind)
    return _reply(user_document(user))


@bp.delete("/users/<user_id>/devices")
def device_remove(user_id: str) -> Response:
    uid = _path_id(user_id, errors.UserNotFound)
    return _reply(user_document(backend().remove_device(uid)))


@bp.get("/users/<user_id>/totp")
def user_totp(user_id: str) -> Response:
    uid = _path_id(user_id, errors.UserNotFound)
    generic = get_bool(_query(), "generic", default=False)
    return _reply(asdict(backend().totp_view(uid, generic=generic)))


# -- §7.8-7.9 approval requests ------------------------------------------------------


@bp.get("/approval_requests")
def approvals_list() -> Response:
    params = _query()
    status = get_str(params, "status") or None
    if status is not None and status not in _STATUSES:
        raise errors.InvalidParameter(
            "status", "Must be one of: " + ", ".join(_STATUSES)
        )
    the_backend = backend()
    records = the_backend.list_approvals(
        app_id=get_int(params, "app_id"),
        user_id=get_int(params, "user_id"),
        status=status,
    )
    now = the_backend.now()
    documents = [approval_document(r, now) for r in records]
    return _reply({"approval_requests": documents})


@bp.post("/approval_requests/<uuid>/approve")
def approval_approve(uuid: str) -> Response:
    the_backend = backend()
    record = the_backend.approve(uuid)
    document = approval_document(record, the_backend.now())
    return _reply({"approval_request": document, "success": True})


@bp.post("/approval_requests/<uuid>/deny")
def approval_deny(uuid: str) -> Response:
    the_backend = backend()
    record = the_backend.deny(uuid)
    document = approval_document(record, the_backend.now())
    return _reply({"approval_request": document, "success": True})


# -- §7.10 callback deliveries -------------------------------------------------------


@bp.get("/callbacks")
def callbacks_list() -> Response:
    params = _query()
    deliveries = backend().list_deliveries(
        app_id=get_int(params, "app_id"), uuid=get_str(params, "uuid") or None
    )
    return _reply({"callbacks": deliveries})


@bp.post("/callbacks/<delivery_id>/redeliver")
def callbacks_redeliver(delivery_id: str) -> Response:
    the_id = _path_id(delivery_id, errors.NotFound)
    return _reply(backend().redeliver(the_id))


# -- §7.11 journal -------------------------------------------------------------------


@bp.get("/requests")
def requests_list() -> Response:
    params = _query()
    entries = backend().journal_entries(
        path=get_str(params, "path", trim=False) or None,
        app_id=get_int(params, "app_id"),
    )
    return _reply({"requests": [asdict(e) for e in entries]})


@bp.delete("/requests")
def requests_clear() -> Response:
    backend().clear_journal()
    return _reply(_OK)


# -- §7.12 faults --------------------------------------------------------------------


@bp.post("/faults")
def faults_add() -> Response:
    return _reply(asdict(backend().add_fault(_body())))


@bp.get("/faults")
def faults_list() -> Response:
    return _reply({"faults": [asdict(f) for f in backend().list_faults()]})


@bp.delete("/faults")
def faults_clear() -> Response:
    backend().clear_faults()
    return _reply(_OK)


# -- §7.13 snapshot ------------------------------------------------------------------


@bp.get("/snapshot")
def snapshot_get() -> Response:
    return _reply(backend().export_snapshot())


@bp.post("/snapshot")
def snapshot_post() -> Response:
    backend().restore_snapshot(_body())
    return _reply(_OK)
