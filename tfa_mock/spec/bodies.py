"""Exact JSON Schemas of the mock's success bodies (API.md §3, §4.4, §7).

Each schema says what the handlers of ``tfa_mock.api`` and ``tfa_mock.control``
write, with the types of API.md §1.4 (ids and counts integers, flags booleans,
verify's ``success`` the string ``"true"``). Message strings the mock fixes are
``const``. No Flask, no routes: ``spec.api`` and ``spec.control`` use these.
"""

from __future__ import annotations

from ..api.app import MONTHS
from ..api.tokens import CALL_IGNORED, SMS_IGNORED
from ._schema import INT, NULL, NUM, STR, Schema, array, const, nullable, obj, success

__all__ = [
    "APP",
    "APPROVAL",
    "CALLBACK",
    "CALL_SENT",
    "DELIVERY",
    "FAULT",
    "HEX24",
    "MESSAGE",
    "SMS_SENT",
    "STATS_MONTH",
    "USER",
    "USER_STATUS",
    "UUID",
    "VERIFY_DEVICE",
]

TRUE = const(True)
BOOL: Schema = {"type": "boolean"}
HEX24: Schema = {"type": "string", "pattern": "^[0-9a-f]{24}$"}
UUID: Schema = {"type": "string", "format": "uuid"}
WHEN: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}
CELLPHONE_MASK: Schema = {"type": "string", "pattern": r"^\+\d{1,3}-XXX-XXX-XX\d{1,2}$"}
TEXTS: Schema = {"type": "object", "additionalProperties": STR}
LOGO = obj({"res": {"enum": ["default", "low", "med", "high"]}, "url": STR})

USER_STATUS = success(
    status=obj(
        {
            "authy_id": INT,
            "confirmed": BOOL,
            "registered": BOOL,
            "country_code": INT,
            "phone_number": {"type": "string", "pattern": r"^XXX-XXX-\d{1,4}$"},
            "email": STR,
            "devices": array(STR, maxItems=1),
            "has_hard_token": const(False),
            "account_disabled": const(False),
            "detailed_devices": array(
                obj(
                    {
                        "device_type": const("authy"),
                        "os_type": STR,
                        "registration_device_id": NULL,
                        "registration_method": NULL,
                        "device_id": INT,
                        "last_sync_date": INT,
                        "creation_date": INT,
                    }
                ),
                maxItems=1,
            ),
            "deleted_devices": array(STR, maxItems=0),
        }
    ),
    message=const("User status."),
    success=TRUE,
)


def _ignored(message: str) -> Schema:
    """The answer of a send ignored because the user has a device (§3.8-3.9)."""
    return success(
        message=const(message),
        cellphone=CELLPHONE_MASK,
        device=STR,
        ignored=TRUE,
        success=TRUE,
    )


SMS_SENT = {
    "anyOf": [
        success(
            success=TRUE,
            message=const("SMS token was sent"),
            cellphone=CELLPHONE_MASK,
        ),
        _ignored(SMS_IGNORED),
    ]
}

CALL_SENT = {
    "anyOf": [
        success(
            cellphone=CELLPHONE_MASK, message=const("Call started..."), success=TRUE
        ),
        _ignored(CALL_IGNORED),
    ]
}

_NULLS = (
    "registration_method",
    "registration_country",
    "registration_region",
    "registration_city",
    "country",
    "region",
    "city",
    "ip",
    "last_account_recovery_at",
)
VERIFY_DEVICE = obj(
    {
        "id": nullable(INT),
        "os_type": STR,
        "registration_date": nullable(INT),
        **{name: NULL for name in _NULLS},
        "last_sync_date": nullable(INT),
    }
)

STATS_MONTH = obj(
    {
        "sms_count": INT,
        "calls_count": INT,
        "users_count": INT,
        "auths_count": INT,
        "month": {"enum": list(MONTHS)},
        "api_calls_count": INT,
        "year": INT,
    }
)

APPROVAL = obj(
    {
        "_app_name": STR,
        "_app_serial_id": INT,
        "_authy_id": INT,
        "_id": HEX24,
        "_user_email": STR,
        "app_id": HEX24,
        "created_at": WHEN,
        "notified": BOOL,
        "processed_at": nullable(WHEN),
        "seconds_to_expire": {"type": "integer", "minimum": 0},
        "status": {"enum": ["pending", "approved", "denied", "expired"]},
        "updated_at": WHEN,
        "user_id": HEX24,
        "uuid": UUID,
        "details": nullable(TEXTS),
        "hidden_details": nullable(TEXTS),
        "logos": nullable(array(LOGO, minItems=1)),
        "message": STR,
    }
)

_LIMIT = nullable(obj({"max": {"type": "integer", "minimum": 1}, "window": NUM}))
APP = obj(
    {
        "app_id": INT,
        "object_id": HEX24,
        "name": STR,
        "api_key": STR,
        "plan": const("pay_as_you_go"),
        "callback_url": nullable(STR),
        "callback_method": {"enum": ["POST", "GET"]},
        "token_length": {"type": "integer", "minimum": 6, "maximum": 8},
        "sms_token_ttl": {"type": "integer", "minimum": 1},
        "sms_enabled": BOOL,
        "phone_calls_enabled": BOOL,
        "onetouch_enabled": BOOL,
        "custom_codes_enabled": BOOL,
        "callback_on_expiry": BOOL,
        "limits": obj(
            {
                "verify_failures": _LIMIT,
                "sends": _LIMIT,
                "verification_starts": _LIMIT,
                "requests": _LIMIT,
            }
        ),
    }
)

MESSAGE = obj(
    {
        "id": INT,
        "channel": {"enum": ["sms", "voice", "email"]},
        "to": STR,
        "body": STR,
        "code": nullable(STR),
        "purpose": {"enum": ["token", "phone_verification", "install_link"]},
        "user_id": nullable(INT),
        "app_id": INT,
        "created_at": NUM,
    }
)

USER = obj(
    {
        "id": INT,
        "app_id": INT,
        "email": STR,
        "phone": {"type": "string", "pattern": r"^\+\d+$"},
        "country_code": INT,
        "cellphone": STR,
        "confirmed": BOOL,
        "suspended": BOOL,
        "generic_enrolled": BOOL,
        "secret": {"type": "string", "pattern": "^[A-Z2-7]+$"},
        "devices": array(
            obj({"id": INT, "uuid": UUID, "kind": STR, "installed_at": NUM}),
            maxItems=1,
        ),
        "created_at": NUM,
    }
)

_ATTEMPT = obj(
    {
        "time": NUM,
        "nonce": {"type": "string", "pattern": r"^\d+$"},
        "url": STR,
        "request_headers": TEXTS,
        "request_body": STR,
        "status_code": nullable(INT),
        "error": nullable(STR),
    }
)
DELIVERY = obj(
    {
        "id": INT,
        "app_id": INT,
        "approval_request_uuid": UUID,
        "event": {"enum": ["approved", "denied", "expired"]},
        "method": {"enum": ["POST", "GET"]},
        "url": STR,
        "status": {"enum": ["pending", "delivered", "failed"]},
        "next_attempt_at": nullable(NUM),
        "attempts": array(_ATTEMPT),
    }
)

FAULT = obj(
    {
        "id": INT,
        "endpoint": STR,
        "to": nullable(STR),
        "times": {"type": "integer", "minimum": 0},
        "status": nullable({"type": "integer", "minimum": 400, "maximum": 599}),
        "error_code": STR,
        "message": STR,
        "delay_ms": {"type": "integer", "minimum": 0},
        "drop_message": BOOL,
    }
)

_CALLBACK_DEVICE_NULLS = (
    "city",
    "country",
    "ip",
    "region",
    "registration_city",
    "registration_country",
    "registration_ip",
    "registration_method",
    "registration_region",
)
CALLBACK = obj(
    {
        "authy_id": INT,
        "device_uuid": UUID,
        "callback_action": const("approval_request_status"),
        "uuid": UUID,
        "status": {"enum": ["approved", "denied", "expired"]},
        "approval_request": obj(
            {
                "transaction": obj(
                    {
                        "details": nullable(TEXTS),
                        "device_details": obj({}),
                        "device_geolocation": const(""),
                        "device_signing_time": INT,
                        "encrypted": const(False),
                        "flagged": const(False),
                        "hidden_details": nullable(TEXTS),
                        "message": STR,
                        "reason": const(""),
                        "requester_details": NULL,
                        "status": {"enum": ["approved", "denied", "expired"]},
                        "uuid": UUID,
                        "created_at_time": INT,
                        "customer_uuid": INT,
                    }
                ),
                "expiration_timestamp": nullable(INT),
                "logos": nullable(array(LOGO, minItems=1)),
                "app_id": HEX24,
            }
        ),
        "signature": {"type": "string", "contentEncoding": "base64"},
        "device": obj(
            {
                **{name: NULL for name in _CALLBACK_DEVICE_NULLS},
                "os_type": STR,
                "last_account_recovery_at": NULL,
                "id": nullable(INT),
                "registration_date": nullable(INT),
                "last_sync_date": nullable(INT),
            }
        ),
    }
)
