"""The bodies the mock tests expect: compact JSON, the error envelope, and the check
of a status and exact bytes in either format (API.md §1.4-1.5)."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.test import TestResponse

from tfa_mock.wire.render import render

__all__ = ["compact", "error", "expect", "invalid"]


def compact(body: Any) -> bytes:
    """*body* as the mock writes JSON (API.md §1.4)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The error envelope (API.md §1.4); *extra* (``token=``) follows ``message``."""
    return {
        "message": message,
        **extra,
        "success": False,
        "errors": {"message": message},
        "error_code": code,
    }


def invalid(name: str, reason: str) -> dict[str, Any]:
    """60004 for parameter *name* (API.md §2)."""
    return error("60004", f"Invalid parameter: {name} - {reason}")


def expect(resp: TestResponse, fmt: str, status: int, body: dict[str, Any]) -> None:
    """Status and exact bytes in either format."""
    assert resp.status_code == status, resp.data
    if fmt == "json":
        assert resp.content_type == "application/json; charset=utf-8"
        assert resp.data == compact(body)
    else:
        assert resp.content_type == "application/xml; charset=utf-8"
        assert resp.data == render(body, "xml")
