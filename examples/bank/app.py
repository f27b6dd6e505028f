"""``create_app(config)``: the Example Bank Flask app, wired.

Blueprints by use case (:mod:`signup`, :mod:`login`, :mod:`reset`, :mod:`push`,
:mod:`account`, :mod:`authenticator`), CSRF on every POST, signed session cookies,
a strict Content-Security-Policy, and one page for every error, so a person never
sees a traceback. Nothing here logs a form field: codes and passwords stay out of
the logs (werkzeug logs paths only, and no path carries a secret).
"""

from __future__ import annotations

import secrets

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from tfa_core.client import Client, TfaApiError, TfaTransportError
from tfa_core.guard import Guard
from tfa_core.stores import SQLiteStore

from . import account, authenticator, login, push, reset, signup
from .config import Config
from .db import Db
from .web import Bank, check_csrf, csrf_token, hash_password

__all__ = ["create_app"]

_CSP = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'"


def create_app(config: Config) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    store = SQLiteStore(config.db_path)  # its own table, in the bank's file
    app.extensions["bank"] = Bank(
        config=config,
        db=Db(config.db_path),
        tfa=Client(config.api_key, config.api_url),
        store=store,
        guard=Guard(store, attempts=config.code_attempts),
        dummy_hash=hash_password(secrets.token_urlsafe(16), config.hash_method),
    )
    for module in (account, authenticator, login, push, reset, signup):
        app.register_blueprint(module.bp)
    app.before_request(check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_template(
            "error.html", message=error.description
        ), error.code or 500

    @app.errorhandler(TfaTransportError)
    def unreachable(error: TfaTransportError) -> tuple[str, int]:
        message = "The verification service cannot be reached. Try again in a minute."
        return render_template("error.html", message=message), 503

    @app.errorhandler(TfaApiError)
    def refused(error: TfaApiError) -> tuple[str, int]:
        message = f"The verification service refused: {error.message}"
        return render_template("error.html", message=message), 502

    return app
