"""The control API of the mock under ``/_mock`` (API.md §7): routes to backend calls.

JSON bodies in (decoded by ``wire.params``), filters in the query string, compact
JSON out (``wire.render``). Each view reads its input, calls one backend operation
and shapes the document; the rules live in the backend. Bad input raises ApiErrors
(400/60002, 400/60004, 404, 409), which the app's one handler renders as the API
envelope. Control calls are not journaled (the journal takes API paths only). With a
control token configured, every ``/_mock`` request and the web inbox (``/``) need
``Authorization: Bearer <token>``; the web inbox and its event stream, which a
browser opens without headers, also take ``?control_token=<token>``.

``guard`` holds the blueprint ``bp`` and the token check; the views are in
``server`` (§7.2-7.4), ``users`` (§7.5-7.7), ``approvals`` (§7.8-7.10) and
``state`` (§7.11-7.13), which add their routes to ``bp`` when imported here.
"""

from __future__ import annotations

from . import approvals, server, state, users
from .guard import bp, check_control_token
from .server import app_document
from .users import user_document

__all__ = [
    "app_document",
    "approvals",
    "bp",
    "check_control_token",
    "server",
    "state",
    "user_document",
    "users",
]
