"""The app factory: ``create_app(config) -> Flask`` wires blueprints, errors, journal.

Routing is Flask's; every error, from routing to the backend, is an ApiError rendered
by one handler in the request's format (404 route errors always in JSON, API.md §1.1).
Every API request is journaled once its answer is known (API.md §7.11).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any, cast

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from . import control, persist
from .api import BLUEPRINTS
from .backend import Backend
from .config import MockConfig
from .web import bp as web_bp
from .wire import errors
from .wire.render import Format, content_type, render

__all__ = ["MAX_BODY_BYTES", "create_app"]

MAX_BODY_BYTES = 1024 * 1024  # larger bodies: 413 before they are read whole

_API_PREFIXES = ("/protected/", "/onetouch/")
_log = logging.getLogger("tfa_mock")


class _FormatConverter(BaseConverter):
    """``json`` or ``xml``; anything else does not route (404/60000)."""

    regex = "(?:json|xml)"


def create_app(
    config: MockConfig | None = None, *, backend: Backend | None = None
) -> Flask:
    """A Flask app serving the tfa API, the control API and the web inbox."""
    config = config if config is not None else MockConfig()
    if backend is None:
        backend = Backend(
            seed=config.seed,
            api_key=config.api_key,
            app_name=config.app_name,
            callback_url=config.callback_url,
            max_messages=config.max_messages,
            max_journal=config.max_journal,
            max_deliveries=config.max_deliveries,
        )
    app = Flask(__name__, static_folder=None)  # the web blueprint serves its own
    # One byte more than allowed, so that a longer body is seen (begin_request).
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES + 1
    app.url_map.converters["fmt"] = _FormatConverter
    app.url_map.strict_slashes = False
    # "//" (e.g. an id "..%2F" decoded) would get werkzeug's HTML 308 redirect,
    # which no error handler sees: an unknown path is 404/60000 (API.md §1.1).
    app.url_map.merge_slashes = False
    app.extensions["tfa_backend"] = backend
    app.extensions["tfa_config"] = config
    for blueprint in (*BLUEPRINTS, control.bp, web_bp):
        app.register_blueprint(blueprint)
    app.wsgi_app = _strip_trailing_slash(app.wsgi_app)  # type: ignore[method-assign]
    if config.state_path is not None:
        # Installed before the journal hook so that it runs after it (Flask runs
        # after_request hooks in reverse order) and saves the entry too.
        persist.install(app, backend, config.state_path)
    _install_handlers(app, backend)
    return app


def _strip_trailing_slash(wsgi: Any) -> Any:
    """API.md §1.1: a trailing slash is ignored."""

    def middleware(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if len(path) > 1 and path.endswith("/"):
            environ["PATH_INFO"] = path.rstrip("/") or "/"
        return cast(Iterable[bytes], wsgi(environ, start_response))

    return middleware


def _install_handlers(app: Flask, backend: Backend) -> None:
    @app.before_request
    def begin_request() -> None:
        g.tfa_started = time.perf_counter()  # real time: only for duration_ms (§8)
        # werkzeug refuses a Content-Length over MAX_CONTENT_LENGTH before reading,
        # but cuts a chunked body at that limit without an error: read at most one
        # byte past MAX_BODY_BYTES and refuse it here, in the path's format.
        g.tfa_fmt = (request.view_args or {}).get("fmt", "json")
        if len(request.get_data(cache=True)) > MAX_BODY_BYTES:
            raise RequestEntityTooLarge()

    @app.errorhandler(errors.ApiError)
    def api_error(error: errors.ApiError) -> Response:
        return _error_response(error, cast(Format, g.get("tfa_fmt", "json")))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_: RequestEntityTooLarge) -> Response:
        return _error_response(
            errors.PayloadTooLarge(), cast(Format, g.get("tfa_fmt", "json"))
        )

    @app.errorhandler(HTTPException)
    def http_error(_: HTTPException) -> Response:
        # Unknown route, method or format: 404/60000, always JSON (API.md §1.1).
        return _error_response(errors.NotFound(), "json")

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        # A bug, never an answer to input: log it (no secrets in request data) and
        # answer the envelope instead of a traceback.
        _log.exception("unexpected error on %s %s", request.method, request.path)
        failure = errors.InjectedFault(500, "60000", "Internal server error")
        return _error_response(failure, cast(Format, g.get("tfa_fmt", "json")))

    @app.after_request
    def journal(response: Response) -> Response:
        path = request.path
        if path.startswith(_API_PREFIXES):
            ended = time.perf_counter()
            started = g.get("tfa_started", ended)
            backend.record_request(
                method=request.method,
                path=path,
                app_id=g.get("tfa_app_id"),
                status=response.status_code,
                error_code=g.get("tfa_error_code"),
                duration_ms=round((ended - started) * 1000),
            )
        return response


def _error_response(error: errors.ApiError, fmt: Format) -> Response:
    g.tfa_error_code = error.error_code
    response = Response(
        render(error.body(), fmt), error.status, content_type=content_type(fmt)
    )
    for name, value in error.headers.items():
        response.headers[name] = value
    return response
