"""The OpenAPI operations of what is not JSON: the web inbox page, its event
stream and static files (API.md §7.14), and the QR images (§3.6), keyed by Flask
endpoint name. Their bodies are HTML, server-sent events, CSS/JavaScript and PNG,
so only the media type is described.
"""

from __future__ import annotations

from typing import Any

from ._schema import const, control_errors, json_response, obj, op
from .control import SECURITY

__all__ = ["WEB_OPERATIONS"]


def _raw(
    operation_id: str, summary: str, media: str, *, tag: str, guarded: bool
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "Success", "content": {media: {}}},
        "404": json_response(
            obj(
                {
                    "message": const("Not found"),
                    "success": const(False),
                    "errors": obj({"message": const("Not found")}),
                    "error_code": const("60000"),
                }
            ),
            "Unknown resource (60000)",
        ),
    }
    if guarded:
        responses.update({"401": control_errors()["401"]})
    return op(
        operation_id,
        summary,
        tag=tag,
        responses=responses,
        security=SECURITY if guarded else [],
    )


WEB_OPERATIONS: dict[str, dict[str, Any]] = {
    "web.inbox": _raw(
        "web_inbox",
        "The web inbox page (§7.14)",
        "text/html",
        tag="web",
        guarded=True,
    ),
    "web.event_source": _raw(
        "web_events",
        "Server-sent `change` events with the state's version (§7.14)",
        "text/event-stream",
        tag="web",
        guarded=True,
    ),
    "web.static": _raw(
        "web_static",
        "The page's CSS and JavaScript (no data, no token)",
        "*/*",
        tag="web",
        guarded=False,
    ),
    "qr.qr_image": _raw(
        "qr_image",
        "An enrollment QR code (§3.6), until the user is deleted",
        "image/png",
        tag="users",
        guarded=False,
    ),
}
