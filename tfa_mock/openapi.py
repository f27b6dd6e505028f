"""The OpenAPI 3.1 document of the whole mock, built from the app's routes.

Paths and methods come from the Flask URL map of ``create_app``; what each
operation takes and answers comes from the tables of ``tfa_mock.spec``, keyed by
the Flask endpoint name. A route without an entry, or an entry without a route,
raises ``LookupError``: the document cannot drift from the routes. Served at
``GET /_mock/openapi.json`` (behind the control token like every ``/_mock`` path)
and printed by ``tfa-mock openapi``.

It does not describe faults (API.md §7.12): an injected fault answers whatever
status and code it was given, on any API endpoint.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from flask import Flask
from werkzeug.routing import Rule

from . import __version__
from .spec import OPERATIONS, PATH_PARAMETERS

__all__ = ["DEFAULT_SERVER", "build_document", "document", "openapi_path"]

DEFAULT_SERVER = "http://127.0.0.1:8600"
_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_RENAMED = {"fmt": "format"}  # route argument -> the name API.md uses
_HIDDEN_METHODS = {"HEAD", "OPTIONS"}  # werkzeug's automatic ones
_CACHE = "tfa_openapi"

_DESCRIPTION = """\
A faithful local mock of the tfa API (API.md): the API under `/protected/{format}/...` \
and `/onetouch/{format}/...` (`format` json or xml; every body is also rendered as \
XML, whose status and media type are described here, its shape by API.md §1.5), the \
control API under `/_mock`, the web inbox and the QR images.

Parameters are accepted from any source (API.md §1.3): the query string, a JSON \
body, a form body with Rails-style bracket keys, or an XML body; path segments win \
over both. The API key goes in `X-TFA-API-Key`, `X-Authy-API-Key` or the `api_key` \
parameter (in that order of precedence).

Not described: injected faults (`POST /_mock/faults`), which answer any status \
from 400 to 599 with the error code and message they were given."""

_SECURITY_SCHEMES = {
    "tfaKey": {"type": "apiKey", "in": "header", "name": "X-TFA-API-Key"},
    "authyKey": {"type": "apiKey", "in": "header", "name": "X-Authy-API-Key"},
    "apiKeyParam": {
        "type": "apiKey",
        "in": "query",
        "name": "api_key",
        "description": "Also read from a form, JSON or XML body; a header wins.",
    },
    "controlToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "Only when the mock runs with `--control-token`.",
    },
}

_TAGS = [
    {"name": name, "description": text}
    for name, text in (
        ("users", "Users (API.md §3.1-3.7)"),
        ("tokens", "Tokens by SMS, voice and e-mail; verify (§3.8-3.11)"),
        ("app", "The application (§3.12-3.13)"),
        ("phones", "Phone verification and information (§3.14-3.17)"),
        ("onetouch", "Approval requests and their callback (§3.18-3.19, §4)"),
        ("control", "The control API of the mock (§7)"),
        ("web", "The web inbox (§7.14)"),
    )
]


def openapi_path(rule: Rule) -> str:
    """The OpenAPI path of a werkzeug rule (``<fmt:fmt>`` -> ``{format}``)."""
    return _VARIABLE.sub(
        lambda m: "{" + _RENAMED.get(m.group(1), m.group(1)) + "}", rule.rule
    )


def build_document(app: Flask, server_url: str = DEFAULT_SERVER) -> dict[str, Any]:
    """The document of *app*'s routes, with *server_url* as its server."""
    paths: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        entry = OPERATIONS.get(rule.endpoint)
        if entry is None:
            raise LookupError(
                f"route {rule.rule} ({rule.endpoint}) has no entry in tfa_mock.spec"
            )
        used.add(rule.endpoint)
        path = openapi_path(rule)
        names = [
            _RENAMED.get(m.group(1), m.group(1)) for m in _VARIABLE.finditer(rule.rule)
        ]
        for method in sorted((rule.methods or set()) - _HIDDEN_METHODS):
            operation = copy.deepcopy(entry)
            path_params = [copy.deepcopy(PATH_PARAMETERS[name]) for name in names]
            operation["parameters"] = path_params + operation["parameters"]
            paths.setdefault(path, {})[method.lower()] = operation
    unused = sorted(set(OPERATIONS) - used)
    if unused:
        raise LookupError(f"entries of tfa_mock.spec without a route: {unused}")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tfa mock",
            "version": __version__,
            "description": _DESCRIPTION,
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server_url}],
        "tags": _TAGS,
        "paths": paths,
        "components": {"securitySchemes": _SECURITY_SCHEMES},
    }


def document(app: Flask, server_url: str = DEFAULT_SERVER) -> dict[str, Any]:
    """:func:`build_document`, built once per app and server URL."""
    cache: dict[str, dict[str, Any]] = app.extensions.setdefault(_CACHE, {})
    if server_url not in cache:
        cache[server_url] = build_document(app, server_url)
    return cache[server_url]
