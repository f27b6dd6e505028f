"""API endpoints of users: register, remove, status, update, activity, generic
enrollment, app-driven registration status (API.md §3.1-3.7).

Thin handlers: pick the parameters, call one backend operation, return the body in
the key order of API.md. The user lookup comes before parameter rules the endpoint
lists after it (e.g. ``qr_size``), so those raw values go to the backend as they are.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..backend.records import UserRecord
from ..wire.params import get_bool, get_str
from ._endpoint import Call, Reply, endpoint

__all__ = ["bp", "phone_mask"]

bp = Blueprint("users", __name__)

_P = "/protected/<fmt:fmt>"


def phone_mask(user: UserRecord) -> str:
    """``XXX-XXX-nnnn``: the last four digits of the national number (API.md §3.3)."""
    national = user.phone[1 + len(str(user.country_code)) :]
    return f"XXX-XXX-{national[-4:]}"


def _user_object(call: Call) -> dict[str, Any]:
    user = call.params.get("user")
    return user if isinstance(user, dict) else {}


@endpoint(bp, f"{_P}/users/new", "POST", name="users/new")
def users_new(call: Call) -> Reply:
    """POST …/users/new (API.md §3.1)."""
    user = _user_object(call)
    send = get_bool(call.params, "send_install_link_via_sms", default=True)
    if call.params.get("send_install_link_via_sms") is None:
        send = get_bool(user, "send_install_link_via_sms", default=True)
    uid = call.backend.register_user(
        call.app.app_id,
        email=user.get("email"),
        cellphone=user.get("cellphone"),
        country_code=user.get("country_code"),
        send_install_link=send,
        drop=call.drop_message,
    )
    return {
        "message": "User created successfully.",
        "user": {"id": uid},
        "success": True,
    }


def _remove(call: Call) -> Reply:
    call.backend.remove_user(call.app.app_id, call.params.get("id"))
    return {"message": "User removed from application", "success": True}


# API.md §3.2: three equivalent paths.
@endpoint(bp, f"{_P}/users/<id>/delete", "POST", name="users/delete")
def users_delete(call: Call) -> Reply:
    """POST …/users/{id}/delete."""
    return _remove(call)


@endpoint(bp, f"{_P}/users/<id>/remove", "POST", name="users/delete")
def users_remove(call: Call) -> Reply:
    """POST …/users/{id}/remove."""
    return _remove(call)


@endpoint(bp, f"{_P}/users/delete/<id>", "POST", name="users/delete")
def users_delete_by_id(call: Call) -> Reply:
    """POST …/users/delete/{id}."""
    return _remove(call)


@endpoint(bp, f"{_P}/users/<id>/status", "GET", name="users/status")
def users_status(call: Call) -> Reply:
    """GET …/users/{id}/status (API.md §3.3)."""
    user = call.backend.get_user(call.app.app_id, call.params.get("id"))
    device = user.device
    detailed: list[dict[str, Any]] = []
    if device is not None:
        installed = int(device.installed_at)
        detailed.append(
            {
                "device_type": "authy",
                "os_type": device.kind,
                "registration_device_id": None,
                "registration_method": None,
                "device_id": device.id,
                "last_sync_date": installed,
                "creation_date": installed,
            }
        )
    return {
        "status": {
            "authy_id": user.id,
            "confirmed": user.confirmed,
            "registered": device is not None,
            "country_code": user.country_code,
            "phone_number": phone_mask(user),
            "email": user.email,
            "devices": [device.kind] if device is not None else [],
            "has_hard_token": False,
            "account_disabled": False,
            "detailed_devices": detailed,
            "deleted_devices": [],
        },
        "message": "User status.",
        "success": True,
    }


@endpoint(bp, f"{_P}/users/<id>/update", "POST", name="users/update")
def users_update(call: Call) -> Reply:
    """POST …/users/{id}/update (API.md §3.4): ``email`` or ``user[email]``."""
    email = call.params.get("email")
    if email is None:
        email = _user_object(call).get("email")
    call.backend.update_user(call.app.app_id, call.params.get("id"), email=email)
    return {"message": "User was updated successfully", "success": True}


@endpoint(
    bp, f"{_P}/users/<id>/register_activity", "POST", name="users/register_activity"
)
def users_register_activity(call: Call) -> Reply:
    """POST …/users/{id}/register_activity (API.md §3.5)."""
    ip = _text(call.params.get("user_ip")) or _text(call.params.get("ip"))
    call.backend.register_activity(
        call.app.app_id,
        call.params.get("id"),
        kind=call.params.get("type"),
        ip=ip,
        data=call.params.get("data"),
    )
    return {"message": "Activity was created.", "success": True}


def _text(value: object) -> str | None:
    # Recorded only, so never an error: a non-string IP is not recorded.
    return value.strip() or None if isinstance(value, str) else None


@endpoint(bp, f"{_P}/users/<id>/secret", "POST", name="users/secret")
def users_secret(call: Call) -> Reply:
    """POST …/users/{id}/secret (API.md §3.6): enroll and link a QR image."""
    enrollment = call.backend.enroll_generic(
        call.app.app_id,
        call.params.get("id"),
        qr_size=call.params.get("qr_size"),
        label=get_str(call.params, "label"),
    )
    return {
        "label": enrollment.label,
        "issuer": enrollment.issuer,
        "qr_code": f"{call.host_url}qr/{enrollment.qr_id}.png",
        "success": True,
        "message": "QR code generated.",
    }


@endpoint(bp, f"{_P}/registrations/status", "GET", name="registrations/status")
def registrations_status(call: Call) -> Reply:
    """GET …/registrations/status (API.md §3.7): never simulated, always pending."""
    get_str(call.params, "custom_user_id", required=True)
    return {"registration": {"authy_id": None, "status": "pending"}, "success": True}
