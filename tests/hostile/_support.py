"""What the hostile-input tests share: the endpoint table of API.md §3, a reader of
response bodies in both formats, the error-envelope check and the state to compare.

The XML reader is written here, independent of ``tfa_mock.wire.params``, so the
mock's output is not checked by the mock's own decoder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree
from werkzeug.test import TestResponse

from tfa_mock.backend import Backend

__all__ = [
    "API_KEY",
    "ENDPOINTS",
    "ERROR_STATUS",
    "NOW",
    "Endpoint",
    "assert_envelope",
    "comparable_state",
    "new_backend",
    "read_body",
]

NOW = 1700000000.0
API_KEY = "hostile_api_key_0123456789abcdef"

Fmt = Literal["json", "xml"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """One route of API.md §3: method, path template and the parameters it reads."""

    name: str
    method: Literal["GET", "POST"]
    path: str  # with {fmt} and, where it has them, {id}, {token}, {uuid}
    params: tuple[str, ...] = ()

    def url(self, fmt: str, **segments: str) -> str:
        """The path with its format and (already encoded) segments."""
        return self.path.format(fmt=fmt, **segments)


_P = "/protected/{fmt}"
_SEND = ("force", "action", "action_message", "locale", "shortcode")
_NUMBER = ("country_code", "phone_number")

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        name="users/new",
        method="POST",
        path=f"{_P}/users/new",
        params=("user", "send_install_link_via_sms"),
    ),
    Endpoint(name="users/delete", method="POST", path=f"{_P}/users/{{id}}/delete"),
    Endpoint(name="users/remove", method="POST", path=f"{_P}/users/{{id}}/remove"),
    Endpoint(name="users/delete/id", method="POST", path=f"{_P}/users/delete/{{id}}"),
    Endpoint(name="users/status", method="GET", path=f"{_P}/users/{{id}}/status"),
    Endpoint(
        name="users/update",
        method="POST",
        path=f"{_P}/users/{{id}}/update",
        params=("email", "user"),
    ),
    Endpoint(
        name="users/register_activity",
        method="POST",
        path=f"{_P}/users/{{id}}/register_activity",
        params=("type", "ip", "data"),
    ),
    Endpoint(
        name="users/secret",
        method="POST",
        path=f"{_P}/users/{{id}}/secret",
        params=("qr_size", "label"),
    ),
    Endpoint(
        name="registrations/status",
        method="GET",
        path=f"{_P}/registrations/status",
        params=("custom_user_id",),
    ),
    Endpoint(name="sms", method="GET", path=f"{_P}/sms/{{id}}", params=_SEND),
    Endpoint(name="call", method="GET", path=f"{_P}/call/{{id}}", params=_SEND),
    Endpoint(name="email", method="POST", path=f"{_P}/email/{{id}}"),
    Endpoint(
        name="verify",
        method="GET",
        path=f"{_P}/verify/{{token}}/{{id}}",
        params=("force", "action"),
    ),
    Endpoint(name="app/details", method="GET", path=f"{_P}/app/details"),
    Endpoint(name="app/stats", method="GET", path=f"{_P}/app/stats"),
    Endpoint(
        name="phones/verification/start",
        method="POST",
        path=f"{_P}/phones/verification/start",
        params=(
            "via",
            *_NUMBER,
            "code_length",
            "locale",
            "custom_message",
            "custom_code",
        ),
    ),
    Endpoint(
        name="phones/verification/check",
        method="GET",
        path=f"{_P}/phones/verification/check",
        params=(*_NUMBER, "verification_code"),
    ),
    Endpoint(
        name="phones/verification/status",
        method="GET",
        path=f"{_P}/phones/verification/status",
        params=("uuid", *_NUMBER),
    ),
    Endpoint(
        name="phones/info", method="GET", path=f"{_P}/phones/info", params=_NUMBER
    ),
    Endpoint(
        name="onetouch/create",
        method="POST",
        path="/onetouch/{fmt}/users/{id}/approval_requests",
        params=(
            "message",
            "details",
            "hidden_details",
            "logos",
            "seconds_to_expire",
        ),
    ),
    Endpoint(
        name="onetouch/status",
        method="GET",
        path="/onetouch/{fmt}/approval_requests/{uuid}",
    ),
)

# API.md §2 (and the mock's 413 for bodies over 1 MiB): the status of each code.
ERROR_STATUS: dict[str, frozenset[int]] = {
    "60000": frozenset({404}),
    "60001": frozenset({401}),
    "60002": frozenset({400, 413}),
    "60003": frozenset({429}),
    "60004": frozenset({400}),
    "60005": frozenset({400}),
    "60006": frozenset({503}),
    "60007": frozenset({503}),
    "60016": frozenset({404}),
    "60017": frozenset({503}),
    "60019": frozenset({401}),
    "60020": frozenset({401}),
    "60021": frozenset({400}),
    "60022": frozenset({401}),
    "60023": frozenset({404}),
    "60026": frozenset({404}),
    "60027": frozenset({400}),
    "60033": frozenset({400}),
    "60049": frozenset({404}),
    "60079": frozenset({409}),
}


def new_backend(*, seed: int = 7) -> Backend:
    """A seeded backend with the default app keyed API_KEY, clock frozen at NOW."""
    backend = Backend(seed=seed, api_key=API_KEY)
    backend.clock.freeze()
    backend.clock.set(NOW)
    return backend


def comparable_state(backend: Backend) -> dict[str, Any]:
    """The whole state minus what every request may change (API.md §6-7.11): the
    journal, the statistics and the rate-limit windows."""
    state = backend.export_snapshot()
    for name in ("journal", "stats", "windows"):
        del state[name]
    return state


# -- response bodies -------------------------------------------------------------


def read_body(resp: TestResponse) -> tuple[Fmt, dict[str, Any]]:
    """The format (by Content-Type) and the body of an API answer, parsed."""
    kind = resp.headers.get("Content-Type", "")
    if kind == "application/json; charset=utf-8":
        body = json.loads(resp.get_data())
        assert isinstance(body, dict), body
        return "json", body
    assert kind == "application/xml; charset=utf-8", (resp.status, kind)
    return "xml", read_xml(resp.get_data())


def read_xml(data: bytes) -> dict[str, Any]:
    """A Rails-style XML body of API.md §1.5 as a dict (the root's name under
    ``"_root"``). Empty elements without a type read as ``""``."""
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'), data[:60]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser)
    body = {_xml_key(child): _xml_value(child) for child in root}
    body["_root"] = root.tag
    return body


def _xml_key(element: etree._Element) -> str:
    key = element.get("key")
    if element.tag == "item" and key is not None:
        return key
    return str(element.tag).replace("-", "_")


def _xml_value(element: etree._Element) -> Any:
    if element.get("nil") == "true":
        return None
    kind = element.get("type")
    text = element.text or ""
    if kind == "integer":
        return int(text)
    if kind == "boolean":
        assert text in ("true", "false"), text
        return text == "true"
    if kind == "float":
        return float(text)
    if kind == "array":
        return [_xml_value(child) for child in element]
    if len(element):
        return {_xml_key(child): _xml_value(child) for child in element}
    return text


_CODE = re.compile(r"[0-9]{5}")


def assert_envelope(status: int, fmt: Fmt, body: dict[str, Any]) -> str:
    """Check the error envelope of API.md §1.4 (and its XML form); its error code."""
    if fmt == "xml":
        assert body.pop("_root") == "errors", body
    keys = list(body)
    assert keys[0] == "message" and keys[-1] == "error_code", body
    message = body["message"]
    assert isinstance(message, str) and message, body
    assert body["success"] is False, body
    code = body["error_code"]
    assert isinstance(code, str) and _CODE.fullmatch(code), body
    assert status in ERROR_STATUS[code], (status, body)
    errors = body["errors"]
    if code == "60049":
        assert errors in ({}, ""), body  # "errors":{} (an empty element in XML)
    else:
        assert isinstance(errors, dict) and errors["message"] == message, body
    return code
