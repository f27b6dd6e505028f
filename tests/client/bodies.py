"""Success and error bodies exactly as API.md §2-§3 shows them (compact JSON)."""

from __future__ import annotations

import json
from typing import Any

_BODIES = {
    "register": (
        '{"message":"User created successfully.","user":{"id":1000},"success":true}'
    ),
    "delete": '{"message":"User removed from application","success":true}',
    "update": '{"message":"User was updated successfully","success":true}',
    "activity": '{"message":"Activity was created.","success":true}',
    "status": (
        '{"status":{"authy_id":1000,"confirmed":true,"registered":true,'
        '"country_code":1,"phone_number":"XXX-XXX-0123","email":"ana@example.com",'
        '"devices":["android"],"has_hard_token":false,"account_disabled":false,'
        '"detailed_devices":[{"device_type":"authy","os_type":"android",'
        '"registration_device_id":null,"registration_method":null,'
        '"device_id":100000,"last_sync_date":1700000050,"creation_date":1700000050}],'
        '"deleted_devices":[]},"message":"User status.","success":true}'
    ),
    "secret": (
        '{"label":"ana@example.com","issuer":"Default App","qr_code":'
        '"http://127.0.0.1:8600/qr/6f1d0c3e9a2b4c5d8e7f0a1b2c3d4e5f.png",'
        '"success":true,"message":"QR code generated."}'
    ),
    "registration": (
        '{"registration":{"authy_id":null,"status":"pending"},"success":true}'
    ),
    "sms": (
        '{"success":true,"message":"SMS token was sent","cellphone":"+1-XXX-XXX-XX23"}'
    ),
    "sms_ignored": (
        '{"message":"Ignored: SMS is not needed for smartphones. Pass force=true if '
        'you want to actually send it anyway.","cellphone":"+1-XXX-XXX-XX23",'
        '"device":"android","ignored":true,"success":true}'
    ),
    "call": (
        '{"cellphone":"+1-XXX-XXX-XX23","message":"Call started...","success":true}'
    ),
    "email": (
        '{"success":true,"message":"Email token was sent","email":"ana@example.com",'
        '"email_id":"EMa364aa751cc280d8c22772307e2c5760"}'
    ),
    "verify": (
        '{"message":"Token is valid.","token":"is valid","success":"true","device":'
        '{"id":100000,"os_type":"android","registration_date":1700000050,'
        '"registration_method":null,"registration_country":null,'
        '"registration_region":null,"registration_city":null,"country":null,'
        '"region":null,"city":null,"ip":null,"last_account_recovery_at":null,'
        '"last_sync_date":1700000050}}'
    ),
    "details": (
        '{"app":{"app_id":1,"name":"Default App","plan":"pay_as_you_go",'
        '"sms_enabled":true,"phone_calls_enabled":true,"onetouch_enabled":true},'
        '"message":"Application information.","success":true}'
    ),
    "start": (
        '{"carrier":"Unknown carrier","is_cellphone":true,"is_ported":false,'
        '"message":"Text message sent to +1 201-555-0123.","seconds_to_expire":600,'
        '"uuid":"3f0e9d4c-2b1a-4c8d-9e7f-6a5b4c3d2e1f","success":true}'
    ),
    "check": '{"message":"Verification code is correct.","success":true}',
    "vstatus": (
        '{"message":"Phone verification status.","status":"pending",'
        '"seconds_to_expire":412,"uuid":"3f0e9d4c-2b1a-4c8d-9e7f-6a5b4c3d2e1f",'
        '"success":true}'
    ),
    "info": (
        '{"message":"Phone number information as of 2023-11-14 22:13:20 UTC",'
        '"ported":false,"provider":"Vodafone","success":true,"type":"cellphone"}'
    ),
    "create": (
        '{"approval_request":{"uuid":"c1a5e0d2-7b34-4f0e-a2c9-3d8e1f6b9a04"},'
        '"success":true}'
    ),
    "approval": (
        '{"approval_request":{"_app_name":"Default App","_app_serial_id":1,'
        '"_authy_id":1000,"_id":"65f1c0a9e4b0c2d3a1b2c3e5",'
        '"_user_email":"ana@example.com","app_id":"65f1c0a9e4b0c2d3a1b2c3d4",'
        '"created_at":"2023-11-14T22:15:00Z","notified":true,"processed_at":null,'
        '"seconds_to_expire":86400,"status":"pending",'
        '"updated_at":"2023-11-14T22:15:00Z","user_id":"65f1c0a9e4b0c2d3a1b2c3f6",'
        '"uuid":"c1a5e0d2-7b34-4f0e-a2c9-3d8e1f6b9a04",'
        '"details":{"Account Number":"981266321"},"hidden_details":null,'
        '"logos":null,"message":"Login requested"},"success":true}'
    ),
    "token_invalid": (
        '{"message":"Token is invalid","token":"is invalid","success":false,'
        '"errors":{"message":"Token is invalid"},"error_code":"60020"}'
    ),
    "user_not_valid": (
        '{"message":"User was not valid","email":"is invalid","cellphone":'
        '"is invalid","success":false,"errors":{"email":"is invalid","cellphone":'
        '"is invalid","message":"User was not valid"},"error_code":"60027"}'
    ),
    "too_many": (
        '{"message":"Too many requests","success":false,"errors":'
        '{"message":"Too many requests"},"error_code":"60003"}'
    ),
    "approval_not_found": (
        '{"message":"Approval request not found: 3f05a350-4b2c-0136-f779-12c0c2bf9eaa",'
        '"success":false,"errors":{},"error_code":"60049"}'
    ),
}


def _stats() -> dict[str, Any]:
    months = [
        ("April", 2023),
        ("May", 2023),
        ("June", 2023),
        ("July", 2023),
        ("August", 2023),
        ("September", 2023),
        ("October", 2023),
        ("November", 2023),
        ("December", 2023),
        ("January", 2024),
        ("February", 2024),
    ]
    zero = {"sms_count": 0, "calls_count": 0, "users_count": 0, "auths_count": 0}
    stats: list[dict[str, Any]] = [
        {**zero, "month": m, "api_calls_count": 0, "year": y} for m, y in months
    ]
    stats.append(
        {
            "sms_count": 3,
            "calls_count": 1,
            "users_count": 2,
            "auths_count": 4,
            "month": "March",
            "api_calls_count": 15,
            "year": 2024,
        }
    )
    return {
        "message": "Monthly statistics.",
        "count": 12,
        "total_users": 2,
        "app_id": 1,
        "success": True,
        "stats": stats,
    }


def body(name: str) -> dict[str, Any]:
    """A fresh decoded copy of the named body (``stats`` is built, not quoted)."""
    if name == "stats":
        return _stats()
    value: dict[str, Any] = json.loads(_BODIES[name])
    return value
