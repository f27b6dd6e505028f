"""The control blueprint and its guard, the control token (API.md §7.1).

With a control token configured, every ``/_mock`` request and the web inbox (``/``)
need ``Authorization: Bearer <token>``; the web inbox and its event stream, which a
browser opens without headers, also take ``?control_token=<token>``. No views here:
the other modules of :mod:`tfa_mock.control` add them to ``bp``.
"""

from __future__ import annotations

import hmac
from typing import cast

from flask import Blueprint, current_app, request

from ..config import MockConfig
from ..wire import errors

__all__ = ["bp", "check_control_token"]

bp = Blueprint("control", __name__, url_prefix="/_mock")


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
