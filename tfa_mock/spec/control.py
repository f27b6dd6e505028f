"""The OpenAPI operations of the control API (API.md §7) and of the web inbox's
JSON state (§7.14), keyed by Flask endpoint name.

JSON in, compact JSON out, no API key; with ``--control-token`` the ``controlToken``
bearer scheme applies (``SECURITY``, also used by ``spec.web``). Paths and methods
come from the routes (``tfa_mock.openapi``).
"""

from __future__ import annotations

from typing import Any

from ..backend.validate import FAULT_ENDPOINTS
from . import bodies as b
from ._schema import (
    INT,
    NUM,
    STR,
    Schema,
    array,
    const,
    control_errors,
    json_response,
    obj,
    op,
    param,
)

__all__ = ["CONTROL_OPERATIONS", "CONTROL_PATH_PARAMETERS", "SECURITY"]

_DIGITS: Schema = {"type": "integer", "minimum": 1, "examples": [1]}
CONTROL_PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "uuid": param("uuid", b.UUID, where="path"),
    "delivery_id": param("delivery_id", _DIGITS, where="path"),
    "app_id": param("app_id", _DIGITS, where="path"),
    "user_id": param("user_id", {"type": "integer", "examples": [1000]}, where="path"),
    "qr_id": param(
        "qr_id", {"type": "string", "pattern": "^[0-9a-f]{32}$"}, where="path"
    ),
    "filename": param("filename", {"enum": ["inbox.css", "inbox.js"]}, where="path"),
}

OK = obj({"ok": const(True)})
CLOCK = obj({"now": NUM, "frozen": {"type": "boolean"}})
SECURITY: list[dict[str, list[str]]] = [{"controlToken": []}, {}]
_NUMBER_GE0: Schema = {"type": "number", "minimum": 0}
_LIMIT = {
    "anyOf": [
        {
            "type": "object",
            "required": ["max", "window"],
            "properties": {
                "max": {"type": "integer", "minimum": 1},
                "window": {"type": "number", "exclusiveMinimum": 0},
            },
        },
        {"type": "null"},
    ]
}
_SETTINGS: dict[str, Schema] = {
    "name": {"type": "string", "minLength": 1},
    "api_key": {"type": "string", "minLength": 1},
    "callback_url": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]},
    "callback_method": {"enum": ["POST", "GET"]},
    "token_length": {"type": "integer", "minimum": 6, "maximum": 8},
    "sms_token_ttl": {"type": "integer", "minimum": 1},
    **{
        flag: {"type": "boolean"}
        for flag in (
            "sms_enabled",
            "phone_calls_enabled",
            "onetouch_enabled",
            "custom_codes_enabled",
            "callback_on_expiry",
        )
    },
    "limits": {
        "type": "object",
        "properties": {
            key: _LIMIT
            for key in ("verify_failures", "sends", "verification_starts", "requests")
        },
    },
}


def _json_body(
    properties: dict[str, Schema],
    *,
    required: list[str] | None = None,
    one_of: list[str] | None = None,
) -> dict[str, Any]:
    """A JSON body; *required* keys, or exactly one of *one_of*."""
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if one_of:
        schema["oneOf"] = [{"required": [name]} for name in one_of]
    return {
        "required": bool(required or one_of),
        "content": {"application/json": {"schema": schema}},
    }


def _control(
    operation_id: str,
    summary: str,
    ok: Schema,
    *errors: tuple[int, str],
    tag: str = "control",
    **extra: Any,
) -> dict[str, Any]:
    return op(
        operation_id,
        summary,
        tag=tag,
        responses={"200": json_response(ok), **control_errors(*errors)},
        security=SECURITY,
        **extra,
    )


_BAD = (400, "60004")
_USER = (404, "60026")
_APPROVAL = (404, "60049")
_INBOX_FILTERS = [
    param("to", STR),
    param("channel", {"enum": ["sms", "voice", "email"]}),
    param("user_id", INT),
    param("app_id", INT),
    param("after", INT, description="A message id: only later messages."),
]
_DECIDED = obj({"approval_request": b.APPROVAL, "success": const(True)})

CONTROL_OPERATIONS: dict[str, dict[str, Any]] = {
    "control.health": _control(
        "mock_health",
        "Health and version (§7.2)",
        obj({"ok": const(True), "version": STR}),
    ),
    "control.reset": _control(
        "mock_reset",
        "Reset everything, or one app's data (§7.2)",
        OK,
        _BAD,
        body=_json_body({"app_id": INT}),
    ),
    "control.clock_get": _control("mock_clock_get", "The mock clock (§7.3)", CLOCK),
    "control.clock_post": _control(
        "mock_clock_post",
        "Freeze, unfreeze, set or advance the clock: exactly one (§7.3)",
        CLOCK,
        _BAD,
        body=_json_body(
            {
                "freeze": const(True),
                "unfreeze": const(True),
                "set": _NUMBER_GE0,
                "advance": _NUMBER_GE0,
            },
            one_of=["freeze", "unfreeze", "set", "advance"],
        ),
    ),
    "control.apps_list": _control(
        "mock_apps_list", "Apps by app_id (§7.4)", obj({"apps": array(b.APP)})
    ),
    "control.apps_create": _control(
        "mock_apps_create",
        "Create an app (§7.4)",
        b.APP,
        _BAD,
        body=_json_body(_SETTINGS, required=["name"]),
    ),
    "control.apps_patch": _control(
        "mock_apps_patch",
        "Change an app's settings; limits merge key by key (§7.4)",
        b.APP,
        _BAD,
        body=_json_body(_SETTINGS),
    ),
    "control.inbox_list": _control(
        "mock_inbox",
        "Messages oldest first (§7.5)",
        obj({"messages": array(b.MESSAGE)}),
        _BAD,
        params=_INBOX_FILTERS,
    ),
    "control.inbox_latest": _control(
        "mock_inbox_latest",
        "The newest matching message, waiting up to `wait` real seconds (§7.5)",
        b.MESSAGE,
        _BAD,
        params=[
            *_INBOX_FILTERS,
            param("wait", {"type": "number", "minimum": 0, "maximum": 30}),
        ],
    ),
    "control.inbox_clear": _control("mock_inbox_clear", "Empty the inbox (§7.5)", OK),
    "control.user_get": _control(
        "mock_user", "A user, secret in base32 (§7.6)", b.USER, _USER
    ),
    "control.device_install": _control(
        "mock_device_install",
        "Install the simulated device (§7.6)",
        b.USER,
        _USER,
        _BAD,
        body=_json_body({"kind": {"type": "string", "pattern": "^[a-z0-9_]{1,32}$"}}),
    ),
    "control.device_remove": _control(
        "mock_device_remove", "Remove the simulated device (§7.6)", b.USER, _USER
    ),
    "control.user_totp": _control(
        "mock_user_totp",
        "What the device (or, with generic=1, a generic authenticator) shows (§7.7)",
        obj(
            {
                "code": {"type": "string", "pattern": "^[0-9]{6,8}$"},
                "digits": {"type": "integer", "minimum": 6, "maximum": 8},
                "period": {"enum": [10, 30]},
                "seconds_left": {"type": "integer", "minimum": 1, "maximum": 30},
            }
        ),
        _USER,
        _BAD,
        params=[param("generic", {"type": "boolean"})],
    ),
    "control.approvals_list": _control(
        "mock_approval_requests",
        "Approval requests oldest first (§7.8)",
        obj({"approval_requests": array(b.APPROVAL)}),
        _BAD,
        params=[
            param("user_id", INT),
            param("status", {"enum": ["pending", "approved", "denied", "expired"]}),
            param("app_id", INT),
        ],
    ),
    "control.approval_approve": _control(
        "mock_approve",
        "Approve as the device would; queues the callback (§7.9)",
        _DECIDED,
        _APPROVAL,
        (409, "60079"),
    ),
    "control.approval_deny": _control(
        "mock_deny",
        "Deny as the device would; queues the callback (§7.9)",
        _DECIDED,
        _APPROVAL,
        (409, "60079"),
    ),
    "control.callbacks_list": _control(
        "mock_callbacks",
        "Callback deliveries oldest first (§7.10)",
        obj({"callbacks": array(b.DELIVERY)}),
        _BAD,
        params=[param("app_id", INT), param("uuid", STR)],
    ),
    "control.callbacks_redeliver": _control(
        "mock_redeliver", "One more attempt now (§7.10)", b.DELIVERY
    ),
    "control.requests_list": _control(
        "mock_requests",
        "The request journal, newest last (§7.11)",
        obj(
            {
                "requests": array(
                    obj(
                        {
                            "time": NUM,
                            "method": STR,
                            "path": STR,
                            "app_id": {"anyOf": [INT, {"type": "null"}]},
                            "status": INT,
                            "error_code": {"anyOf": [STR, {"type": "null"}]},
                            "duration_ms": {"type": "integer", "minimum": 0},
                        }
                    )
                )
            }
        ),
        _BAD,
        params=[
            param("path", STR, description="A path prefix."),
            param("app_id", INT),
        ],
    ),
    "control.requests_clear": _control(
        "mock_requests_clear", "Empty the journal (§7.11)", OK
    ),
    "control.faults_add": _control(
        "mock_faults_add",
        "Inject a fault into the API (§7.12)",
        b.FAULT,
        _BAD,
        body=_json_body(
            {
                "endpoint": {"enum": list(FAULT_ENDPOINTS)},
                "to": STR,
                "times": {"type": "integer", "minimum": 1},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "error_code": {"type": "string", "pattern": "^[0-9]{5}$"},
                "message": STR,
                "delay_ms": {"type": "integer", "minimum": 0},
                "drop_message": {"type": "boolean"},
            },
            required=["endpoint"],
        ),
    ),
    "control.faults_list": _control(
        "mock_faults", "Active faults (§7.12)", obj({"faults": array(b.FAULT)})
    ),
    "control.faults_clear": _control(
        "mock_faults_clear", "Remove all faults (§7.12)", OK
    ),
    "control.snapshot_get": _control(
        "mock_snapshot_get",
        "The whole state as data (§7.13)",
        {
            "type": "object",
            "required": ["version"],
            "properties": {"version": const(1)},
        },
    ),
    "control.snapshot_post": _control(
        "mock_snapshot_post",
        "Restore a snapshot exactly; anything else is 400/60002 (§7.13)",
        OK,
        body={
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["version"],
                        "properties": {"version": const(1)},
                    }
                }
            },
        },
    ),
    "control.openapi": _control(
        "mock_openapi", "This document (OpenAPI 3.1)", {"type": "object"}
    ),
    "web.page_json": _control(
        "web_page_state",
        "What the web inbox shows, as JSON (§7.14)",
        {
            "type": "object",
            "required": [
                "version",
                "clock",
                "apps",
                "messages_total",
                "messages",
                "users_total",
                "users",
                "approval_requests",
                "deliveries",
                "faults",
            ],
        },
        tag="web",
    ),
}
