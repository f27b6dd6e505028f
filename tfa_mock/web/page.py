"""What the web inbox shows, as one JSON-able snapshot (``GET /_mock/page``).

Reads the backend through its operations (inbox, TOTP views, approvals, deliveries,
faults) under its lock, so one snapshot is one consistent state at one ``version``.
It decides nothing and changes nothing: the page's actions are control-API calls.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from tfa_core.approval import Status

from ..api.onetouch import approval_document
from ..backend import Backend

__all__ = ["MAX_DELIVERIES", "MAX_MESSAGES", "MAX_USERS", "page_state"]

# The page is for a human: the newest entries are enough, and a long soak test
# must not make every refresh heavier.
MAX_MESSAGES = 200
MAX_DELIVERIES = 100
MAX_USERS = 100


def page_state(backend: Backend) -> dict[str, Any]:
    """The page's data: clock, messages newest first, the newest users and their
    phones, pending approval requests, deliveries newest first, faults, apps."""
    with backend.lock:
        clock = backend.clock.to_dict()
        now = float(clock["now"])
        messages = backend.messages  # read under the lock; asdict copies
        apps = {app.app_id: app.name for app in backend.list_apps()}
        user_ids = backend.user_ids()
        shown = user_ids[-MAX_USERS:]
        hidden = set(user_ids[:-MAX_USERS])
        # Pending requests of the users shown, and of removed users (their
        # requests stay readable, API.md §3.2).
        pending = [
            record
            for record in backend.list_approvals(status=Status.PENDING)
            if record.user_id not in hidden
        ]
        state: dict[str, Any] = {
            "version": backend.version,
            "clock": {"now": now, "frozen": bool(clock["frozen"])},
            "apps": [{"app_id": k, "name": v} for k, v in apps.items()],
            "messages_total": len(messages),
            "messages": [asdict(m) for m in reversed(messages[-MAX_MESSAGES:])],
            "users_total": len(user_ids),
            "users": [_user(backend, uid, apps) for uid in shown],
            "approval_requests": [approval_document(record, now) for record in pending],
            "deliveries": [
                _delivery(d)
                for d in reversed(backend.list_deliveries()[-MAX_DELIVERIES:])
            ],
            "faults": [asdict(f) for f in backend.list_faults()],
        }
    return state


def _user(backend: Backend, user_id: int, apps: dict[int, str]) -> dict[str, Any]:
    """One phone card: who, the device, its live code, the generic enrollment."""
    user = backend.user_record(user_id)
    device = backend.totp_view(user_id)
    generic = backend.totp_view(user_id, generic=True)
    qr_id = backend.latest_qr_id(user_id)  # the user's enrollment code
    return {
        "id": user.id,
        "app_id": user.app_id,
        "app_name": apps.get(user.app_id, ""),
        "email": user.email,
        "phone": user.phone,
        "device": asdict(user.device) if user.device is not None else None,
        "totp": asdict(device),
        "generic_enrolled": user.generic_enrolled,
        "generic_totp": asdict(generic) if user.generic_enrolled else None,
        "qr_url": f"/qr/{qr_id}.png" if qr_id is not None else None,
    }


def _delivery(document: dict[str, Any]) -> dict[str, Any]:
    """A delivery of §7.10 without the bodies and headers: what a row shows."""
    attempts: list[dict[str, Any]] = document["attempts"]
    last = attempts[-1] if attempts else None
    return {
        "id": document["id"],
        "app_id": document["app_id"],
        "approval_request_uuid": document["approval_request_uuid"],
        "event": document["event"],
        "method": document["method"],
        "url": document["url"],
        "status": document["status"],
        "next_attempt_at": document["next_attempt_at"],
        "attempts": len(attempts),
        "last_attempt": (
            {
                "time": last["time"],
                "status_code": last["status_code"],
                "error": last["error"],
            }
            if last is not None
            else None
        ),
    }
