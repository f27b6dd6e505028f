"""The OpenAPI operations of the tfa API (API.md §3), keyed by Flask endpoint name.

One entry per route of ``tfa_mock.api``: parameters (types, ranges, the encodings
of §1.3), the success body and every error envelope with its status, links from
``users/new`` to the calls that take the new id, and the §4 callback. Paths and
methods are not here: ``tfa_mock.openapi`` takes them from the routes.
"""

from __future__ import annotations

from typing import Any

from . import bodies as b
from ._schema import (
    INT,
    STR,
    Schema,
    api_errors,
    const,
    envelope,
    json_response,
    obj,
    op,
    param,
    success,
)

__all__ = ["API_OPERATIONS", "PATH_PARAMETERS"]

TRUE = const(True)
FORM = "application/x-www-form-urlencoded"

# The path parameters of every API route, by the name in the document.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "format": param(
        "format",
        {"type": "string", "enum": ["json", "xml"]},
        where="path",
        description="Body format of the answer (API.md §1.5).",
    ),
    "id": param(
        "id",
        {"type": "integer", "examples": [1000]},
        where="path",
        description="The user id (`authy_id`); an unknown or non-numeric one gets "
        "the endpoint's not-found error.",
    ),
    "token": param(
        "token",
        {"type": "string", "examples": ["0123456"]},
        where="path",
        description="6-12 ASCII digits are looked at; anything else is 401/60020.",
    ),
    "uuid": param("uuid", b.UUID, where="path"),
}

USER_IP = param("user_ip", STR, description="Recorded only.")
BOOLEAN_TEXT: Schema = {
    "anyOf": [
        {"type": "boolean"},
        {"type": "string", "pattern": "^(?i:true|false|1|0)?$"},
    ]
}
COUNTRY_CODE: Schema = {"type": "integer", "minimum": 1, "maximum": 999}


def _body(schema: Schema, *, required: bool = False) -> dict[str, Any]:
    """A body in every encoding of API.md §1.3 (JSON, form with bracket keys, XML)."""
    nested = [
        name
        for name, sub in schema.get("properties", {}).items()
        if sub.get("type") in ("object", "array")
    ]
    form: dict[str, Any] = {"schema": schema}
    if nested:
        form["encoding"] = {
            name: {"style": "deepObject", "explode": True} for name in nested
        }
    return {
        "required": required,
        "description": "Parameters as JSON, as a form with Rails-style bracket keys "
        "(`user[email]=...`, `logos[][res]=...`, `logos[0][res]=...`) or as XML "
        "(root `<hash>`); the query string may carry them too (API.md §1.3).",
        "content": {
            "application/json": {"schema": schema},
            FORM: form,
            "application/xml": {"schema": {**schema, "xml": {"name": "hash"}}},
        },
    }


def _params(properties: dict[str, Schema]) -> Schema:
    """Request parameters: unknown ones are ignored, so not exact."""
    return {
        "type": "object",
        "properties": {
            **properties,
            "user_ip": STR,
            "api_key": STR,
        },
    }


def _api(
    operation_id: str,
    summary: str,
    tag: str,
    ok: Schema,
    errors: dict[int, list[Schema]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    params = extra.pop("params", [])
    return op(
        operation_id,
        summary,
        tag=tag,
        params=[*params, USER_IP],
        responses={"200": json_response(ok, xml=True), **api_errors(errors)},
        security=[{"tfaKey": []}, {"authyKey": []}, {"apiKeyParam": []}],
        **extra,
    )


def _link(operation_id: str) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "parameters": {"format": "json", "id": "$response.body#/user/id"},
    }


_USER_404 = {404: [envelope("60026")]}
_SUSPENDED = {503: [envelope("60017")]}
_P400 = {400: [envelope("60004")]}
_PHONE = {400: [envelope("60004", "60033")]}
_NEW_USER = success(
    message=const("User created successfully."), user=obj({"id": INT}), success=TRUE
)
_EMAIL: Schema = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"}
_FIELDS = {400: [envelope("60027", kind="fields")]}
_REMOVED = success(message=const("User removed from application"), success=TRUE)
_NUMBER = {
    "country_code": COUNTRY_CODE,
    "phone_number": {"type": "string", "examples": ["201-555-0123"]},
}


def _remove(operation_id: str, path: str) -> dict[str, Any]:
    return _api(
        operation_id,
        f"Remove a user ({path})",
        "users",
        _REMOVED,
        _USER_404,
        body=_body(_params({})),
    )


_SIGNATURE_HEADERS = [
    param(
        name,
        {"type": "string"},
        where="header",
        required=True,
        description=what,
    )
    for name, what in (
        (
            "X-TFA-Signature",
            "Base64 HMAC-SHA256 of `nonce|METHOD|URL|canonical`, "
            "keyed with the app's API key (API.md §4.6).",
        ),
        (
            "X-TFA-Signature-Nonce",
            "The clock's Unix time at the attempt, in whole seconds.",
        ),
        ("X-Authy-Signature", "The same value as X-TFA-Signature."),
        ("X-Authy-Signature-Nonce", "The same value as X-TFA-Signature-Nonce."),
    )
]
_ACK = {
    "2XX": {
        "description": "Acknowledged; any other answer (or none within 5 s) "
        "is retried 1, 2, 4, 8 and 16 s of mock-clock time later (API.md §4.5)."
    }
}


def _callback() -> dict[str, Any]:
    """The §4 callback to the app's ``callback_url``, as a path item."""
    # The URL is the app's setting (control API §7.4), not part of this request,
    # so no runtime expression names it: the key is a constant, an example URL.
    return {
        "https://app.example.com/tfa/onetouch/callback": {
            "description": "Sent to the app's `callback_url` when the request is "
            "approved, denied or (with `callback_on_expiry`) expires (API.md §4.2).",
            "post": {
                "summary": "The callback as a POST (`callback_method` POST)",
                "parameters": _SIGNATURE_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": b.CALLBACK}},
                },
                "responses": _ACK,
            },
            "get": {
                "summary": "The callback as a GET (`callback_method` GET): the query "
                "string is the canonical string of the same body (API.md §4.6)",
                "parameters": _SIGNATURE_HEADERS,
                "responses": _ACK,
            },
        }
    }


_SEND_PARAMS = [
    param("force", BOOLEAN_TEXT, description="Send even to a user with a device."),
    param("action", STR, description="Binds the code to an action (API.md §5.4)."),
    param("action_message", STR),
    param("locale", STR, description="Recorded; texts stay English."),
]

API_OPERATIONS: dict[str, dict[str, Any]] = {
    "users.users_new": _api(
        "users_new",
        "Register a user (API.md §3.1)",
        "users",
        _NEW_USER,
        {400: [envelope("60027", kind="fields"), envelope("60004")]},
        body=_body(
            _params(
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
        ),
    ),
    "users.users_delete": _remove("users_delete", "users/{id}/delete"),
    "users.users_remove": _remove("users_remove", "users/{id}/remove"),
    "users.users_delete_by_id": _remove("users_delete_by_id", "users/delete/{id}"),
    "users.users_status": _api(
        "users_status", "User status (API.md §3.3)", "users", b.USER_STATUS, _USER_404
    ),
    "users.users_update": _api(
        "users_update",
        "Change a user's e-mail (API.md §3.4)",
        "users",
        success(message=const("User was updated successfully"), success=TRUE),
        {**_USER_404, **_FIELDS},
        body=_body(
            _params({"email": _EMAIL, "user": obj({}, {"email": _EMAIL})}),
            required=True,
        ),
    ),
    "users.users_register_activity": _api(
        "users_register_activity",
        "Record an activity (API.md §3.5)",
        "users",
        success(message=const("Activity was created."), success=TRUE),
        {**_USER_404, **_P400},
        body=_body(
            _params(
                {
                    "type": {
                        "enum": ["password_reset", "banned", "unbanned", "cookie_login"]
                    },
                    "ip": STR,
                    "data": {"type": "object", "additionalProperties": STR},
                }
            ),
            required=True,
        ),
    ),
    "users.users_secret": _api(
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
        {**_USER_404, **_P400},
        body=_body(
            _params(
                {
                    "qr_size": {"type": "integer", "minimum": 50, "maximum": 1000},
                    "label": STR,
                }
            )
        ),
    ),
    "users.registrations_status": _api(
        "registrations_status",
        "App-driven registration status (API.md §3.7; always pending in the mock)",
        "users",
        success(
            registration=obj(
                {"authy_id": {"anyOf": [INT, {"type": "null"}]}, "status": STR}
            ),
            success=TRUE,
        ),
        _P400,
        params=[param("custom_user_id", STR, required=True)],
    ),
    "tokens.sms": _api(
        "sms",
        "Send a token by SMS (API.md §3.8)",
        "tokens",
        b.SMS_SENT,
        {**_USER_404, **_P400, 503: [envelope("60017", "60007")]},
        params=[*_SEND_PARAMS, param("shortcode", BOOLEAN_TEXT)],
    ),
    "tokens.voice_call": _api(
        "call",
        "Send a token by voice call (API.md §3.9)",
        "tokens",
        b.CALL_SENT,
        {**_USER_404, **_P400, 503: [envelope("60017", "60006")]},
        params=_SEND_PARAMS,
    ),
    "tokens.email": _api(
        "email",
        "Send a token by e-mail (API.md §3.10)",
        "tokens",
        success(
            success=TRUE,
            message=const("Email token was sent"),
            email=STR,
            email_id={"type": "string", "pattern": "^EM[0-9a-f]{32}$"},
        ),
        {**_USER_404, **_SUSPENDED},
        body=_body(_params({})),
    ),
    "tokens.verify": _api(
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
            **_P400,
            **_SUSPENDED,
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
    "app.details": _api(
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
    "app.stats": _api(
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
    "phones.verification_start": _api(
        "phones_verification_start",
        "Start a phone verification (API.md §3.14)",
        "phones",
        success(
            carrier=STR,
            is_cellphone={"type": "boolean"},
            is_ported=const(False),
            message={
                "type": "string",
                "pattern": r"^(Text message sent to \+\d+ .+\.|Call to \+\d+ .+ "
                r"initiated\.)$",
            },
            seconds_to_expire={"type": "integer", "minimum": 0},
            uuid=b.UUID,
            success=TRUE,
        ),
        {
            400: [envelope("60004", "60033", "60021")],
            503: [envelope("60007", "60006")],
        },
        body=_body(
            _params(
                {
                    "via": {"enum": ["sms", "call"]},
                    **_NUMBER,
                    "code_length": {"type": "integer", "minimum": 4, "maximum": 10},
                    "locale": STR,
                    "custom_message": STR,
                    "custom_code": {"type": "string", "pattern": "^[0-9]{4,10}$"},
                }
            ),
            required=True,
        ),
    ),
    "phones.verification_check": _api(
        "phones_verification_check",
        "Check a phone verification code (API.md §3.15)",
        "phones",
        success(message=const("Verification code is correct."), success=TRUE),
        {**_PHONE, 401: [envelope("60022")], 404: [envelope("60023")]},
        params=[
            param("country_code", COUNTRY_CODE, required=True),
            param("phone_number", _NUMBER["phone_number"], required=True),
            param(
                "verification_code",
                {"type": "string", "pattern": "^[0-9]+$"},
                required=True,
            ),
        ],
    ),
    "phones.verification_status": _api(
        "phones_verification_status",
        "Phone verification status (API.md §3.16)",
        "phones",
        success(
            message=const("Phone verification status."),
            status={"enum": ["pending", "verified", "expired"]},
            seconds_to_expire={"type": "integer", "minimum": 0},
            uuid=b.UUID,
            success=TRUE,
        ),
        {**_PHONE, 404: [envelope("60023")]},
        params=[
            param("uuid", b.UUID, description="Or country_code and phone_number."),
            param("country_code", COUNTRY_CODE),
            param("phone_number", _NUMBER["phone_number"]),
        ],
    ),
    "phones.info": _api(
        "phones_info",
        "Phone information (API.md §3.17)",
        "phones",
        success(
            message={
                "type": "string",
                "pattern": r"^Phone number information as of \d{4}-\d{2}-\d{2} "
                r"\d{2}:\d{2}:\d{2} UTC$",
            },
            ported=const(False),
            provider=STR,
            success=TRUE,
            type={"enum": ["cellphone", "landline", "voip", "unknown"]},
        ),
        _PHONE,
        params=[
            param("country_code", COUNTRY_CODE, required=True),
            param("phone_number", _NUMBER["phone_number"], required=True),
        ],
    ),
    "onetouch.create": _api(
        "approval_requests_create",
        "Create an approval request (API.md §3.18)",
        "onetouch",
        success(approval_request=obj({"uuid": b.UUID}), success=TRUE),
        {**_USER_404, **_SUSPENDED, **_P400},
        body=_body(
            _params(
                {
                    "message": {"type": "string", "minLength": 1, "maxLength": 200},
                    "details": {
                        "type": "object",
                        "additionalProperties": STR,
                        "maxProperties": 50,
                    },
                    "hidden_details": {
                        "type": "object",
                        "additionalProperties": STR,
                        "maxProperties": 50,
                    },
                    "logos": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["res", "url"],
                            "properties": {
                                "res": {"enum": ["default", "low", "med", "high"]},
                                "url": {"type": "string", "minLength": 1},
                            },
                        },
                    },
                    "seconds_to_expire": {
                        "anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]
                    },
                }
            ),
            required=True,
        ),
        callbacks={"approvalRequestStatus": _callback()},
    ),
    "onetouch.status": _api(
        "approval_requests_status",
        "Approval request status (API.md §3.19)",
        "onetouch",
        success(approval_request=b.APPROVAL, success=TRUE),
        {404: [envelope("60049", kind="empty")]},
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
