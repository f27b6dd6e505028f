"""The request pipeline every API endpoint shares (API.md §1.6).

``@endpoint`` turns a thin handler ``(Call) -> dict`` into a Flask view that, in order:
decodes the parameters (§1.3), authenticates the key (§1.2), applies the whole-API
``requests`` limit (§6), applies an injected fault (§7.12), runs the handler and
renders its body in the path's format. Errors are raised as ApiError and rendered by
the one handler in ``tfa_mock.app``; the journal entry is written there too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

from flask import Blueprint, Response, current_app, g, request

from ..backend import Backend
from ..backend.records import AppRecord
from ..wire import errors
from ..wire.params import decode, get_str
from ..wire.render import Format, content_type, render

__all__ = ["Call", "Handler", "Reply", "backend", "endpoint"]

Reply: TypeAlias = "dict[str, Any]"


@dataclass(slots=True, kw_only=True)
class Call:
    """What a handler gets: the backend, the caller's app, the merged parameters."""

    backend: Backend
    app: AppRecord
    params: dict[str, Any]
    fmt: Format
    drop_message: bool = False  # a fault asks to process but put nothing in the inbox

    @property
    def host_url(self) -> str:
        """``scheme://host:port/`` of this request (for absolute QR URLs)."""
        # Read when asked, not for every call: werkzeug builds it from the
        # environ (IRI decoding included) at a cost most requests need not pay.
        return request.host_url


Handler = Callable[[Call], Reply]
PhoneOf = Callable[[Call], "str | None"]


def backend() -> Backend:
    """The backend of the current Flask app."""
    return cast(Backend, current_app.extensions["tfa_backend"])


def endpoint(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    name: str,
    phone_of: PhoneOf | None = None,
) -> Callable[[Handler], Handler]:
    """Register *handler* at *rule* (which contains ``<fmt>``) for *method*.

    *name* is the endpoint's name for injected faults (``sms``, ``call``, ``verify``,
    ``phones/verification/start``, ``onetouch`` or any other; ``*`` faults match all);
    *phone_of* finds the E.164 number a request concerns, for faults with ``to``.
    """

    def register(handler: Handler) -> Handler:
        def view(fmt: str, **path_args: str) -> Response:
            g.tfa_fmt = fmt
            call = _prepare(cast(Format, fmt), path_args)
            _apply_fault(call, name, phone_of)
            body = handler(call)
            return Response(
                render(body, call.fmt), 200, content_type=content_type(call.fmt)
            )

        bp.add_url_rule(
            rule, endpoint=handler.__name__, view_func=view, methods=[method]
        )
        return handler

    return register


def _prepare(fmt: Format, path_args: dict[str, str]) -> Call:
    params = decode(
        content_type=request.headers.get("Content-Type"),
        body=request.get_data(cache=True),
        query=request.query_string,
    )
    params.update(path_args)  # path segments override query and body (API.md §1.3)
    the_backend = backend()
    key = (
        request.headers.get("X-TFA-API-Key")
        or request.headers.get("X-Authy-API-Key")
        or _param_key(params)
    )
    app = the_backend.authenticate(key)
    if app is None:
        raise errors.InvalidApiKey()
    g.tfa_app_id = app.app_id
    the_backend.admit_request(app.app_id)
    return Call(backend=the_backend, app=app, params=params, fmt=fmt)


def _param_key(params: dict[str, Any]) -> str | None:
    try:
        return get_str(params, "api_key")
    except errors.ApiError:
        return None


def _apply_fault(call: Call, name: str, phone_of: PhoneOf | None) -> None:
    def phone() -> str | None:
        return phone_of(call) if phone_of is not None else None

    found = call.backend.take_fault(name, phone)
    if found is None:
        return
    if found.delay_ms > 0:
        # API.md §8: delay_ms is real time, the one place a request waits on purpose.
        time.sleep(found.delay_ms / 1000)
    if found.status is not None:
        raise errors.InjectedFault(found.status, found.error_code, found.message)
    call.drop_message = found.drop_message
