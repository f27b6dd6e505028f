"""Reading a control request and writing its answer (API.md §7).

JSON bodies and query strings decoded by ``wire.params`` (malformed: 400/60002), path
ids, non-negative numbers, compact JSON answers by ``wire.render``. No routes and
no backend calls.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flask import Response, request

from ..wire import errors
from ..wire.params import Params, decode
from ..wire.render import content_type, render

__all__ = ["OK", "number", "path_id", "read_body", "read_query", "reply"]


def read_body() -> Params:
    """The JSON body (an empty body is ``{}``); malformed -> 400/60002."""
    return decode(
        content_type=request.headers.get("Content-Type"),
        body=request.get_data(cache=True),
        query=b"",
    )


def read_query() -> Params:
    """The query string as parameters (filters of the list views)."""
    return decode(content_type=None, body=b"", query=request.query_string)


def path_id(value: str, missing: type[errors.ApiError]) -> int:
    """A numeric id from the path; anything else raises *missing* (a 404)."""
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        raise missing()
    return int(value)


def number(value: object, name: str, reason: str) -> float:
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


def reply(body: Mapping[str, Any], status: int = 200) -> Response:
    """*body* as compact JSON."""
    return Response(render(body, "json"), status, content_type=content_type("json"))


OK: dict[str, Any] = {"ok": True}  # the answer of a call with nothing to show
