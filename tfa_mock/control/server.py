"""Control views of the server as a whole: health, reset, clock, apps (API.md §7.2-7.4).

Each view reads its input, calls one backend operation and shapes the document;
the rules (what a reset clears, which app settings are valid) live in the backend.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request

from .. import __version__
from ..api._endpoint import backend
from ..backend.records import LIMIT_KEYS, AppRecord
from ..backend.validate import MAX_TIME
from ..wire import errors
from ..wire.params import get_int
from ._http import OK, number, path_id, read_body, reply
from .guard import bp

__all__ = ["app_document"]

_CLOCK_MOVES = ("freeze", "unfreeze", "set", "advance")
_SET_REASON = f"Must be a number from 0 to {MAX_TIME:.0f}"
_ADVANCE_REASON = "Must keep the clock before the year 10000"


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


# -- §7.2 health and reset -----------------------------------------------------------


@bp.get("/health")
def health() -> Response:
    return reply({"ok": True, "version": __version__})


@bp.post("/reset")
def reset() -> Response:
    app_id = get_int(read_body(), "app_id")
    if app_id is None:
        backend().reset_all()
    else:
        backend().reset_app(app_id)
    return reply(OK)


# -- §7.3 clock ----------------------------------------------------------------------


def _clock_document() -> dict[str, Any]:
    clock = backend().clock
    return {"now": clock.now(), "frozen": clock.frozen}


@bp.get("/clock")
def clock_get() -> Response:
    return reply(_clock_document())


@bp.post("/clock")
def clock_post() -> Response:
    data = read_body()
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
        when = number(value, "set", _SET_REASON)
        if when > MAX_TIME:
            raise errors.InvalidParameter("set", _SET_REASON)
        clock.set(when)
    else:
        step = number(value, "advance", "Must be a non-negative number")
        if clock.now() + step > MAX_TIME:
            raise errors.InvalidParameter("advance", _ADVANCE_REASON)
        clock.advance(step)
    return reply(_clock_document())


# -- §7.4 apps -----------------------------------------------------------------------


@bp.get("/apps")
def apps_list() -> Response:
    return reply({"apps": [app_document(a) for a in backend().list_apps()]})


@bp.post("/apps")
def apps_create() -> Response:
    return reply(app_document(backend().new_app(read_body())))


@bp.patch("/apps/<app_id>")
def apps_patch(app_id: str) -> Response:
    the_id = path_id(app_id, errors.NotFound)
    return reply(app_document(backend().patch_app(the_id, read_body())))


# -- the OpenAPI document --------------------------------------------------------------


@bp.get("/openapi.json")
def openapi() -> Response:
    from .. import openapi as document  # built on first use, not at start-up

    server = request.host_url.rstrip("/")
    return reply(document.document(current_app, server))
