"""The OpenAPI operations of users, tokens and the application (API.md
§3.1-3.13), keyed by Flask endpoint name.

One entry per route: parameters (types, ranges, the encodings of §1.3), the
success body and every error envelope with its status, and the links from
``users/new`` to the calls that take the new id. Paths and methods are not here:
``tfa_mock.openapi`` takes them from the routes.
"""

from __future__ import annotations

from typing import Any

from . import bodies as b
from ._api import (
    BOOLEAN_TEXT,
    COUNTRY_CODE,
    P400,
    SUSPENDED,
    TRUE,
    USER_404,
    api_op,
    body,
    params_schema,
)
from ._schema import INT, STR, Schema, const, envelope, obj, param, success

__all__ = ["API_OPERATIONS"]


def _link(operation_id: str) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "parameters": {"format": "json", "id": "$response.body#/user/id"},
    }


_NEW_USER = success(
    message=const("User created successfully."), user=obj({"id": INT}), success=TRUE
)
_EMAIL: Schema = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"}
_FIELDS = {400: [envelope("60027", kind="fields")]}
_REMOVED = success(message=const("User removed from application"), success=TRUE)


def _remove(operation_id: str, path: str) -> dict[str, Any]:
    return api_op(
        operation_id,
        f"Remove a user ({path})",
        "users",
        _REMOVED,
        USER_404,
        body=body(params_schema({})),
    )


_SEND_PARAMS = [
    param("force", BOOLEAN_TEXT, description="Send even to a user with a device."),
    param("action", STR, description="Binds the code to an action (API.md §5.4)."),
    param("action_message", STR),
    param("locale", STR, description="Recorded; texts stay English."),
]


API_OPERATIONS: dict[str, dict[str, Any]] = {
    "users.users_new": api_op(
        "users_new",
        "Register a user (API.md §3.1)",
        "users",
        _NEW_USER,
        {400: [envelope("60027", kind="fields"), envelope("60004")]},
        body=body(
            params_schema(
                {
                    "user": {
                        "type": "object",
                        "required": ["email", "cellphone", "country_code"],
                        "properties": {
                            "email": _EMAIL,
                            "cellphone": {
                                "type": "string",
                                "examples": ["201-555-0123"],
                            },
                            "country_code": COUNTRY_CODE,
                            "send_install_link_via_sms": BOOLEAN_TEXT,
                        },
                    },
                    "send_install_link_via_sms": BOOLEAN_TEXT,
                }
            ),
            required=True,
            example={
                "user": {
                    "email": "ana@example.com",
                    "cellphone": "201-555-0123",
                    "country_code": 1,
                }
            },
        ),
    ),
    "users.users_delete": _remove("users_delete", "users/{id}/delete"),
    "users.users_remove": _remove("users_remove", "users/{id}/remove"),
    "users.users_delete_by_id": _remove("users_delete_by_id", "users/delete/{id}"),
    "users.users_status": api_op(
        "users_status", "User status (API.md §3.3)", "users", b.USER_STATUS, USER_404
    ),
    "users.users_update": api_op(
        "users_update",
        "Change a user's e-mail (API.md §3.4)",
        "users",
        success(message=const("User was updated successfully"), success=TRUE),
        {**USER_404, **_FIELDS},
        body=body(
            params_schema({"email": _EMAIL, "user": obj({}, {"email": _EMAIL})}),
            required=True,
            example={"email": "ana@example.org"},
        ),
    ),
    "users.users_register_activity": api_op(
        "users_register_activity",
        "Record an activity (API.md §3.5)",
        "users",
        success(message=const("Activity was created."), success=TRUE),
        {**USER_404, **P400},
        body=body(
            params_schema(
                {
                    "type": {
                        "enum": ["password_reset", "banned", "unbanned", "cookie_login"]
                    },
                    "ip": STR,
                    "data": {"type": "object", "additionalProperties": STR},
                }
            ),
            required=True,
            example={"type": "cookie_login"},
        ),
    ),
    "users.users_secret": api_op(
        "users_secret",
        "Generic-authenticator enrollment QR code (API.md §3.6)",
        "users",
        success(
            label=STR,
            issuer=STR,
            qr_code={"type": "string", "pattern": r"/qr/[0-9a-f]{32}\.png$"},
            success=TRUE,
            message=const("QR code generated."),
        ),
        {**USER_404, **P400},
        body=body(
            params_schema(
                {
                    "qr_size": {"type": "integer", "minimum": 50, "maximum": 1000},
                    "label": STR,
                }
            )
        ),
    ),
    "users.registrations_status": api_op(
        "registrations_status",
        "App-driven registration status (API.md §3.7; always pending in the mock)",
        "users",
        success(
            registration=obj(
                {"authy_id": {"anyOf": [INT, {"type": "null"}]}, "status": STR}
            ),
            success=TRUE,
        ),
        P400,
        params=[param("custom_user_id", STR, required=True)],
    ),
    "tokens.sms": api_op(
        "sms",
        "Send a token by SMS (API.md §3.8)",
        "tokens",
        b.SMS_SENT,
        {**USER_404, **P400, 503: [envelope("60017", "60007")]},
        params=[*_SEND_PARAMS, param("shortcode", BOOLEAN_TEXT)],
    ),
    "tokens.voice_call": api_op(
        "call",
        "Send a token by voice call (API.md §3.9)",
        "tokens",
        b.CALL_SENT,
        {**USER_404, **P400, 503: [envelope("60017", "60006")]},
        params=_SEND_PARAMS,
    ),
    "tokens.email": api_op(
        "email",
        "Send a token by e-mail (API.md §3.10)",
        "tokens",
        success(
            success=TRUE,
            message=const("Email token was sent"),
            email=STR,
            email_id={"type": "string", "pattern": "^EM[0-9a-f]{32}$"},
        ),
        {**USER_404, **SUSPENDED},
        body=body(params_schema({})),
    ),
    "tokens.verify": api_op(
        "verify",
        "Verify a token (API.md §3.11)",
        "tokens",
        success(
            message=const("Token is valid."),
            token=const("is valid"),
            success=const("true"),
            device=b.VERIFY_DEVICE,
        ),
        {
            401: [envelope("60019", "60020", kind="token")],
            404: [envelope("60016")],
            **P400,
            **SUSPENDED,
        },
        params=[
            param(
                "force",
                BOOLEAN_TEXT,
                description="Without it, any well-formed token passes while the user "
                "is unconfirmed (API.md §5.6).",
            ),
            param("action", STR),
        ],
    ),
    "app.details": api_op(
        "app_details",
        "Application details (API.md §3.12)",
        "app",
        success(
            app=obj(
                {
                    "app_id": INT,
                    "name": STR,
                    "plan": const("pay_as_you_go"),
                    "sms_enabled": {"type": "boolean"},
                    "phone_calls_enabled": {"type": "boolean"},
                    "onetouch_enabled": {"type": "boolean"},
                }
            ),
            message=const("Application information."),
            success=TRUE,
        ),
    ),
    "app.stats": api_op(
        "app_stats",
        "Monthly statistics (API.md §3.13)",
        "app",
        success(
            message=const("Monthly statistics."),
            count=const(12),
            total_users=INT,
            app_id=INT,
            success=TRUE,
            stats={
                "type": "array",
                "items": b.STATS_MONTH,
                "minItems": 12,
                "maxItems": 12,
            },
        ),
    ),
}

_LINKED = {
    "SendSms": "sms",
    "SendCall": "call",
    "SendEmail": "email",
    "Verify": "verify",
    "Status": "users_status",
    "CreateApprovalRequest": "approval_requests_create",
}
API_OPERATIONS["users.users_new"]["responses"]["200"]["links"] = {
    name: _link(target) for name, target in _LINKED.items()
}
