"""API endpoints of the application: details and monthly statistics (API.md
§3.12-3.13)."""

from __future__ import annotations

from flask import Blueprint

from ._endpoint import Call, Reply, endpoint

__all__ = ["bp"]

bp = Blueprint("app", __name__)

# English month names, whatever the process locale (calendar.month_name follows it).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


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


@endpoint(bp, "/protected/<fmt:fmt>/app/stats", "GET", name="app/stats")
def stats(call: Call) -> Reply:
    """GET …/app/stats (API.md §3.13): 12 UTC months, oldest first."""
    months, total_users = call.backend.app_stats(call.app.app_id)
    return {
        "message": "Monthly statistics.",
        "count": len(months),
        "total_users": total_users,
        "app_id": call.app.app_id,
        "success": True,
        "stats": [
            {
                "sms_count": month.counts["sms_count"],
                "calls_count": month.counts["calls_count"],
                "users_count": month.counts["users_count"],
                "auths_count": month.counts["auths_count"],
                "month": MONTHS[month.month - 1],
                "api_calls_count": month.counts["api_calls_count"],
                "year": month.year,
            }
            for month in months
        ],
    }
