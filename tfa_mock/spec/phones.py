"""The OpenAPI operations of phone verification and information and of OneTouch
approval requests (API.md §3.14-3.19), with the §4 callback, keyed by Flask
endpoint name. Paths and methods come from the routes (``tfa_mock.openapi``).
"""

from __future__ import annotations

from typing import Any

from . import bodies as b
from ._api import (
    COUNTRY_CODE,
    P400,
    PHONE,
    SUSPENDED,
    TRUE,
    USER_404,
    api_op,
    body,
    params_schema,
)
from ._schema import STR, const, envelope, obj, param, success

__all__ = ["PHONE_OPERATIONS"]

_NUMBER = {
    "country_code": COUNTRY_CODE,
    "phone_number": {"type": "string", "examples": ["201-555-0123"]},
}

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


PHONE_OPERATIONS: dict[str, dict[str, Any]] = {
    "phones.verification_start": api_op(
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
        body=body(
            params_schema(
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
            example={"via": "sms", "country_code": 1, "phone_number": "201-555-0123"},
        ),
    ),
    "phones.verification_check": api_op(
        "phones_verification_check",
        "Check a phone verification code (API.md §3.15)",
        "phones",
        success(message=const("Verification code is correct."), success=TRUE),
        {**PHONE, 401: [envelope("60022")], 404: [envelope("60023")]},
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
    "phones.verification_status": api_op(
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
        {**PHONE, 404: [envelope("60023")]},
        params=[
            param("uuid", b.UUID, description="Or country_code and phone_number."),
            param("country_code", COUNTRY_CODE),
            param("phone_number", _NUMBER["phone_number"]),
        ],
    ),
    "phones.info": api_op(
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
        PHONE,
        params=[
            param("country_code", COUNTRY_CODE, required=True),
            param("phone_number", _NUMBER["phone_number"], required=True),
        ],
    ),
    "onetouch.create": api_op(
        "approval_requests_create",
        "Create an approval request (API.md §3.18)",
        "onetouch",
        success(approval_request=obj({"uuid": b.UUID}), success=TRUE),
        {**USER_404, **SUSPENDED, **P400},
        body=body(
            params_schema(
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
            example={
                "message": "Login requested",
                "details": {"Account Number": "981266321"},
            },
        ),
        callbacks={"approvalRequestStatus": _callback()},
    ),
    "onetouch.status": api_op(
        "approval_requests_status",
        "Approval request status (API.md §3.19)",
        "onetouch",
        success(approval_request=b.APPROVAL, success=TRUE),
        {404: [envelope("60049", kind="empty")]},
    ),
}
