"""What the OpenAPI operations of the tfa API share: path parameters, the body
in its three encodings, the API-key security, the error sets many endpoints have.

Helpers for ``spec.api`` and ``spec.phones``; no operations of their own.
"""

from __future__ import annotations

from typing import Any

from . import bodies as b
from ._schema import STR, Schema, api_errors, const, envelope, json_response, op, param

__all__ = [
    "BOOLEAN_TEXT",
    "COUNTRY_CODE",
    "P400",
    "PATH_PARAMETERS",
    "PHONE",
    "SUSPENDED",
    "TRUE",
    "USER_404",
    "api_op",
    "body",
    "params_schema",
]

TRUE = const(True)
FORM = "application/x-www-form-urlencoded"

# The path parameters of every API route, by the name in the document.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "format": param(
        "format",
        {"type": "string", "enum": ["json", "xml"]},
        where="path",
        description="Body format of the answer (API.md §1.5).",
        example="json",
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


def body(
    schema: Schema, *, required: bool = False, example: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A body in every encoding of API.md §1.3 (JSON, form with bracket keys, XML),
    with *example* as the JSON example (tools send it; schemathesis does first)."""
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
    as_json: dict[str, Any] = {"schema": schema}
    if example is not None:
        as_json["example"] = example
    return {
        "required": required,
        "description": "Parameters as JSON, as a form with Rails-style bracket keys "
        "(`user[email]=...`, `logos[][res]=...`, `logos[0][res]=...`) or as XML "
        "(root `<hash>`); the query string may carry them too (API.md §1.3).",
        "content": {
            "application/json": as_json,
            FORM: form,
            "application/xml": {"schema": {**schema, "xml": {"name": "hash"}}},
        },
    }


def params_schema(properties: dict[str, Schema]) -> Schema:
    """Request parameters: unknown ones are ignored, so not exact."""
    return {
        "type": "object",
        "properties": {
            **properties,
            "user_ip": STR,
            "api_key": STR,
        },
    }


def api_op(
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


USER_404 = {404: [envelope("60026")]}
SUSPENDED = {503: [envelope("60017")]}
P400 = {400: [envelope("60004")]}
PHONE = {400: [envelope("60004", "60033")]}
