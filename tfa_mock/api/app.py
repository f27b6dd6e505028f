"""API endpoints of the application: details and monthly statistics (API.md §3.12-3.13)."""

from __future__ import annotations

from flask import Blueprint

from ._endpoint import Call, Reply, endpoint

__all__ = ["bp"]

bp = Blueprint("app", __name__)


@endpoint(bp, "/protected/<fmt:fmt>/app/details", "GET", name="app/details")
def details(call: Call) -> Reply:
    """GET …/app/details."""
    app = call.app
    return {
        "app": {
            "app_id": app.app_id,
            "name": app.name,
            "plan": app.plan,
            "sms_enabled": app.sms_enabled,
            "phone_calls_enabled": app.phone_calls_enabled,
            "onetouch_enabled": app.onetouch_enabled,
        },
        "message": "Application information.",
        "success": True,
    }
