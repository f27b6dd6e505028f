"""The web inbox: ``GET /`` (the page), ``/_mock/page`` (its data), ``/_mock/events``.

One plain HTML page with its own CSS and JavaScript, served by the mock (no build
step, no CDN). It shows messages, a phone card per user, pending approval requests,
callback deliveries, the clock and faults, and updates itself from server-sent events
(with a slow poll as a fallback). Every button calls the control API (API.md §7), so
nothing is possible only in the page. The control token (API.md §7.1) is checked by
the control API's guard for ``/`` and every ``/_mock/...`` path, these included; the
static files under ``/_web/static/`` carry no data and need none.
"""

from __future__ import annotations

import json
import threading
from typing import cast

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    render_template,
    request,
)
from flask.blueprints import BlueprintSetupState

from ..backend import Backend
from ..config import MockConfig
from .events import client_gone, event_stream
from .page import page_state

__all__ = ["bp", "stop_streams"]

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/_web/static",
)

_STOP = "tfa_web_stop"  # app.extensions key: the Event that ends every stream


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions[_STOP] = threading.Event()


def stop_streams(app: Flask) -> None:
    """End every open event stream of *app* (the server is going away)."""
    stop = app.extensions.get(_STOP)
    if isinstance(stop, threading.Event):
        stop.set()
        backend = cast(Backend, app.extensions["tfa_backend"])
        with backend.changed:
            backend.changed.notify_all()


def _backend() -> Backend:
    return cast(Backend, current_app.extensions["tfa_backend"])


def _given_token() -> str | None:
    """The control token of this request: the bearer header, else the query."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.args.get("control_token")


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/", methods=["GET"])
def inbox() -> Response:
    """GET / - the page, with its first state inside (no fetch before the paint)."""
    config = cast(MockConfig, current_app.extensions["tfa_config"])
    html = render_template(
        "inbox.html",
        state=page_state(_backend()),
        # The page repeats the token on its own calls; whoever reads the page
        # already sent it.
        control_token=_given_token() if config.control_token is not None else None,
    )
    response = Response(html, 200, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    return _no_store(response)


@bp.route("/_mock/page", methods=["GET"])
def page_json() -> Response:
    """GET /_mock/page - what the page shows, as JSON."""
    body = json.dumps(page_state(_backend()), separators=(",", ":"))
    # Escaped as the page's embedded copy is (Jinja's tojson), so stored data never
    # reads as markup, even to a browser that sniffs the type.
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        body = body.replace(char, escaped)
    response = Response(body, 200, content_type="application/json")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)


@bp.route("/_mock/events", methods=["GET"])
def event_source() -> Response:
    """GET /_mock/events - server-sent ``change`` events with the state version."""
    # Everything the stream needs is taken now: the generator outlives the request
    # context and needs nothing of it.
    sock = request.environ.get("werkzeug.socket")
    stream = event_stream(
        _backend(),
        gone=lambda: client_gone(sock),
        stop=cast(threading.Event, current_app.extensions[_STOP]),
    )
    response = Response(stream, 200, content_type="text/event-stream")
    response.headers["X-Accel-Buffering"] = "no"
    return _no_store(response)
