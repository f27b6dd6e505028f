"""Building blocks of the OpenAPI tables: JSON Schema helpers, error envelopes,
responses and parameters (API.md §1.4, §2).

Plain dicts in, plain dicts out; no Flask, no routes. The tables of ``spec.api`` and
``spec.control`` are made of these; ``tfa_mock.openapi`` assembles the document.
Every object schema is exact (``additionalProperties: false``, every key the mock
writes ``required``), so a body with a field missing, extra or of the wrong type
fails validation.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "INT",
    "NULL",
    "NUM",
    "STR",
    "Schema",
    "api_errors",
    "array",
    "const",
    "control_errors",
    "envelope",
    "json_response",
    "nullable",
    "obj",
    "op",
    "param",
    "success",
]

Schema = dict[str, Any]

STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUM: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
NULL: Schema = {"type": "null"}

JSON = "application/json"
XML = "application/xml"


def const(value: object) -> Schema:
    return {"const": value}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, NULL]}


def array(items: Schema, **limits: int) -> Schema:
    return {"type": "array", "items": items, **limits}


def obj(
    required: dict[str, Schema], optional: dict[str, Schema] | None = None
) -> Schema:
    """An exact object: *required* keys always present, *optional* ones may be."""
    properties = {**required, **(optional or {})}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": properties,
    }


def success(**fields: Schema) -> Schema:
    """A success body: *fields* in order, ``success`` JSON ``true`` among them."""
    return obj(fields)


# -- error envelopes (API.md §1.4) ---------------------------------------------------

_MESSAGE: Schema = {"type": "string", "minLength": 1}
_PLAIN_ERRORS = obj({"message": _MESSAGE})


def envelope(*codes: str, kind: str = "plain") -> Schema:
    """The error envelope with ``error_code`` one of *codes*.

    *kind*: ``plain`` (``errors`` = ``{message}``), ``token`` (60019/60020 add
    ``"token":"is invalid"``), ``fields`` (60027's field errors), ``empty``
    (60049's ``"errors":{}``).
    """
    code = {"type": "string", "enum": list(codes), "examples": [codes[0]]}
    message = _MESSAGE
    if kind == "empty":
        return obj(
            {
                "message": message,
                "success": const(False),
                "errors": {"type": "object", "maxProperties": 0},
                "error_code": code,
            }
        )
    if kind == "fields":
        field = {"enum": ["is invalid", "is invalid and can't be blank"]}
        fields = {"email": field, "cellphone": field, "country_code": field}
        inner = obj({"message": const("User was not valid")}, fields)
        inner["minProperties"] = 2
        schema = obj(
            {
                "message": const("User was not valid"),
                "success": const(False),
                "errors": inner,
                "error_code": code,
            },
            fields,
        )
        # A field is at the top level exactly when it is inside ``errors``.
        schema["allOf"] = [
            {
                "if": {"required": [name]},
                "then": {"properties": {"errors": {"required": [name]}}},
                "else": {"properties": {"errors": {"not": {"required": [name]}}}},
            }
            for name in fields
        ]
        return schema
    top: dict[str, Schema] = {"message": message}
    if kind == "token":
        top["token"] = const("is invalid")
    top.update(success=const(False), errors=obj({"message": message}), error_code=code)
    return obj(top)


def _errors_by_status(table: dict[int, list[Schema]]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status in sorted(table):
        schemas = table[status]
        schema = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
        codes = sorted(
            {c for s in schemas for c in s["properties"]["error_code"]["enum"]}
        )
        responses[str(status)] = _response(
            f"Error {', '.join(codes)}", schema, xml=True
        )
    return responses


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Whole seconds until a retry can pass (API.md §6).",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def api_errors(extra: dict[int, list[Schema]] | None = None) -> dict[str, Any]:
    """The error responses of an API endpoint: those of every endpoint (route,
    decoding, key, whole-API limit, body size) merged with *extra*."""
    table: dict[int, list[Schema]] = {
        400: [envelope("60002", "60005")],
        401: [envelope("60001")],
        404: [envelope("60000")],
        413: [envelope("60002")],
        429: [envelope("60003")],
    }
    for status, schemas in (extra or {}).items():
        table.setdefault(status, [])
        for schema in schemas:
            _merge(table[status], schema)
    responses = _errors_by_status(table)
    responses["429"]["headers"] = _RETRY_AFTER
    responses["404"]["description"] += " (60000, the route error, is always JSON)"
    return responses


def _is_plain(schema: Schema) -> bool:
    props = schema["properties"]
    return "token" not in props and props["errors"] == _PLAIN_ERRORS


def _merge(schemas: list[Schema], schema: Schema) -> None:
    """Add *schema*; a plain envelope joins the plain one already there."""
    if _is_plain(schema):
        for known in schemas:
            if _is_plain(known):
                enum = known["properties"]["error_code"]["enum"]
                codes = schema["properties"]["error_code"]["enum"]
                enum.extend(c for c in codes if c not in enum)
                return
    schemas.append(schema)


def control_errors(*statuses: tuple[int, str]) -> dict[str, Any]:
    """Error responses of a control call: malformed body, control token, route,
    body size, plus *statuses* (``(409, "60079")``...)."""
    table: dict[int, list[Schema]] = {
        400: [envelope("60002", "60005")],
        401: [envelope("60001")],
        404: [envelope("60000")],
        413: [envelope("60002")],
    }
    for status, code in statuses:
        schema = envelope(code, kind="empty" if code == "60049" else "plain")
        table.setdefault(status, [])
        _merge(table[status], schema)
    responses = _errors_by_status(table)
    for response in responses.values():
        response["content"].pop(XML)
    return responses


# -- responses, parameters, operations ----------------------------------------------


def _response(description: str, schema: Schema, *, xml: bool) -> dict[str, Any]:
    content: dict[str, Any] = {JSON: {"schema": schema}}
    if xml:
        # The same body rendered as XML (API.md §1.5) on an ``xml`` path: its
        # status and media type are documented, not its shape.
        content[XML] = {}
    return {"description": description, "content": content}


def json_response(
    schema: Schema, description: str = "Success", *, xml: bool = False
) -> dict[str, Any]:
    """A JSON response with *schema* (and the XML rendering when *xml*)."""
    return _response(description, schema, xml=xml)


def param(
    name: str,
    schema: Schema,
    *,
    where: str = "query",
    required: bool = False,
    description: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A parameter object (``where`` = ``query``, ``path`` or ``header``)."""
    found: dict[str, Any] = {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
    }
    if description is not None:
        found["description"] = description
    found.update(extra)
    return found


def op(
    operation_id: str,
    summary: str,
    *,
    tag: str,
    responses: dict[str, Any],
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    description: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An operation object (without path and method: the routes give those)."""
    found: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
    }
    if description is not None:
        found["description"] = description
    found["parameters"] = params or []
    if body is not None:
        found["requestBody"] = body
    found["responses"] = responses
    found.update(extra)
    return found
