"""Hostile input (issue 8): oversized bodies, XML bombs, control characters and very
long strings in every parameter, and the web inbox's escaping.

* Bodies over 1 MiB answer 413 in the envelope of the path's format, and the server
  answers without reading them: a WSGI input that never ends is read at most one
  byte past the limit, and a real server answers a 50 MiB Content-Length whose body
  never comes.
* XML bombs (billion laughs, external entities, external DTDs, parameter entities,
  deep nesting) answer 400/60002 before any expansion; XInclude is not processed.
* Control characters and 100 000-character strings in every parameter of register,
  sms, verify, OneTouch and the phone endpoints are refused with a 4xx or stored,
  and whatever is stored renders as valid JSON, valid XML and inert HTML.
"""

from __future__ import annotations

import io
import json
import re
import socket
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

from tests.hostile._support import (
    API_KEY,
    assert_envelope,
    comparable_state,
    new_backend,
    read_body,
)
from tfa_mock.app import MAX_BODY_BYTES
from tfa_mock.backend import Backend
from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer

AUTH = {"X-TFA-API-Key": API_KEY}
FORMATS = ["json", "xml"]


def register(client: FlaskClient, email: str = "ana@example.com") -> int:
    resp = client.post(
        "/protected/json/users/new",
        json={"user": {"email": email, "cellphone": "201-555-0123", "country_code": 1}},
        headers=AUTH,
    )
    assert resp.status_code == 200, resp.data
    uid: int = resp.json["user"]["id"]  # type: ignore[index]
    return uid


# -- bodies over 1 MiB ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_body_over_1_mib_is_413_in_the_envelope(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    uid = register(client)
    before = comparable_state(backend)
    body = b'{"message":"' + b"x" * MAX_BODY_BYTES + b'"}'
    resp = client.post(
        f"/onetouch/{fmt}/users/{uid}/approval_requests",
        data=body,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert resp.status_code == 413
    got_fmt, parsed = read_body(resp)
    assert got_fmt == fmt
    assert assert_envelope(413, got_fmt, parsed) == "60002"
    assert parsed["message"] == "Request body too large"
    assert comparable_state(backend) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_body_of_exactly_1_mib_is_read(client: FlaskClient, fmt: str) -> None:
    uid = register(client)
    head, tail = b'{"message":"', b'"}'
    body = head + b"x" * (MAX_BODY_BYTES - len(head) - len(tail)) + tail
    assert len(body) == MAX_BODY_BYTES
    resp = client.post(
        f"/onetouch/{fmt}/users/{uid}/approval_requests",
        data=body,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    # Decoded and judged by the endpoint: the message is too long (API.md §2).
    assert resp.status_code == 400
    _, parsed = read_body(resp)
    assert parsed["message"] == (
        "Invalid parameter: message - Must be at most 200 characters"
    )


class EndlessInput(io.RawIOBase):
    """A WSGI input that never ends; it counts what was read and refuses to give
    more than *cap* bytes (so a server that reads everything fails, not hangs)."""

    def __init__(self, cap: int) -> None:
        self.read_bytes = 0
        self.cap = cap

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        if self.read_bytes + size > self.cap:
            raise AssertionError(f"read {self.read_bytes + size} bytes of the body")
        buffer[:size] = b"a" * size
        self.read_bytes += size
        return size


def _call_wsgi(app: Flask, environ: dict[str, Any]) -> tuple[str, bytes]:
    status: list[str] = []

    def start_response(code: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(code)
        return lambda _: None

    chunks = app(environ, start_response)
    body = b"".join(chunks)
    return status[0], body


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_huge_content_length_is_refused_before_reading(app: Flask, fmt: str) -> None:
    stream = EndlessInput(cap=0)
    environ = EnvironBuilder(
        path=f"/protected/{fmt}/users/new",
        method="POST",
        headers=Headers({**AUTH, "Content-Type": "application/json"}),
    ).get_environ()
    environ["wsgi.input"] = stream
    environ["CONTENT_LENGTH"] = str(50 * 1024 * 1024)
    status, body = _call_wsgi(app, environ)
    assert status.startswith("413")
    assert stream.read_bytes == 0
    assert b"Request body too large" in body
    assert body.startswith(b"<?xml" if fmt == "xml" else b"{")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_endless_chunked_body_is_read_one_byte_past_the_limit(
    app: Flask, fmt: str
) -> None:
    # A chunked request has no Content-Length; the server marks its input as
    # terminated (werkzeug's dev server does so for Transfer-Encoding: chunked).
    stream = EndlessInput(cap=MAX_BODY_BYTES + 64 * 1024)
    environ = EnvironBuilder(
        path=f"/protected/{fmt}/app/details",
        method="GET",
        headers=Headers({"Content-Type": "application/x-www-form-urlencoded"}),
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = stream
    environ["wsgi.input_terminated"] = True
    status, body = _call_wsgi(app, environ)
    assert status.startswith("413"), body
    assert stream.read_bytes <= MAX_BODY_BYTES + 64 * 1024
    assert b"Request body too large" in body


def _http_response(port: int, request: bytes) -> tuple[str, bytes]:
    """Send raw bytes; the status line and body of the answer (10 s guard: a server
    waiting for a body that never comes fails the test instead of hanging it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0].decode(), body


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_real_server_answers_413_without_the_body(fmt: str) -> None:
    backend = new_backend()
    with MockServer(MockConfig(port=0, api_key=API_KEY), backend=backend) as server:
        request = (
            f"POST /protected/{fmt}/users/new HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\nX-TFA-API-Key: {API_KEY}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
        ).encode()
        # Only the head is sent: the answer cannot have waited for 50 MiB.
        status, body = _http_response(server.port, request)
    assert status.startswith("HTTP/1.1 413"), status
    assert b"Request body too large" in body
    assert body.startswith(b"<?xml" if fmt == "xml" else b"{")


# -- XML bombs ------------------------------------------------------------------------

_LAUGHS = "".join(
    f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
)
XML_BOMBS = {
    "billion-laughs": (
        '<?xml version="1.0"?><!DOCTYPE hash [<!ENTITY lol0 "lol">'
        + _LAUGHS
        + "]><hash><message>&lol9;</message></hash>"
    ).encode(),
    "external-entity": (
        b'<?xml version="1.0"?><!DOCTYPE hash [<!ENTITY xxe SYSTEM '
        b'"file:///etc/passwd">]><hash><message>&xxe;</message></hash>'
    ),
    "network-entity": (
        b'<!DOCTYPE hash [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]>'
        b"<hash><message>&xxe;</message></hash>"
    ),
    "parameter-entity": (
        b'<!DOCTYPE hash [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
        b"<hash><message>hi</message></hash>"
    ),
    "external-dtd": (
        b'<?xml version="1.0"?><!DOCTYPE hash SYSTEM "http://127.0.0.1:9/x.dtd">'
        b"<hash><message>hi</message></hash>"
    ),
    "entity-without-doctype": b"<hash><message>&xxe;</message></hash>",
    "nested-100": b"<hash>" + b"<a>" * 100 + b"x" + b"</a>" * 100 + b"</hash>",
    "nested-100000": b"<hash>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</hash>",
}


@pytest.mark.parametrize("content_type", ["application/xml", "text/xml", None])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bomb", sorted(XML_BOMBS))
def test_xml_bombs_are_400_60002(
    client: FlaskClient,
    backend: Backend,
    bomb: str,
    fmt: str,
    content_type: str | None,
) -> None:
    uid = register(client)
    before = comparable_state(backend)
    headers = dict(AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    resp = client.post(
        f"/onetouch/{fmt}/users/{uid}/approval_requests",
        data=XML_BOMBS[bomb],
        headers=headers,
    )
    assert resp.status_code == 400, resp.data
    got_fmt, parsed = read_body(resp)
    assert got_fmt == fmt
    assert assert_envelope(400, got_fmt, parsed) == "60002"
    assert comparable_state(backend) == before


def test_xinclude_is_not_processed(client: FlaskClient) -> None:
    uid = register(client)
    body = (
        b'<hash xmlns:xi="http://www.w3.org/2001/XInclude"><message>Hi '
        b'<xi:include href="file:///etc/passwd" parse="text"/></message>'
        b"<details><k>x</k></details></hash>"
    )
    resp = client.post(
        f"/onetouch/json/users/{uid}/approval_requests",
        data=body,
        headers={**AUTH, "Content-Type": "application/xml"},
    )
    # The include is an ordinary (empty) element: message becomes an object.
    assert resp.status_code == 400
    assert b"root:" not in resp.data
    assert resp.json["error_code"] == "60004"  # type: ignore[index]


@pytest.mark.parametrize("fmt", FORMATS)
def test_deep_json_is_400_60002(client: FlaskClient, fmt: str) -> None:
    body = b'{"user":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    resp = client.post(
        f"/protected/{fmt}/users/new",
        data=body,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert resp.status_code == 400
    got_fmt, parsed = read_body(resp)
    assert assert_envelope(400, got_fmt, parsed) == "60002"


# -- control characters and very long strings in every parameter --------------------

CONTROL = "a\x00b\x01\x08\x0b\x0c\x1b[31m\x7f\x85\u2028\ufeff\ufffe\uffffz"
LONG = "x" * 100_000
LONG_DIGITS = "7" * 100_000
HOSTILE = {"control": CONTROL, "long": LONG, "long-digits": LONG_DIGITS}

# (case, method, path, valid JSON parameters, the parameters to spoil)
TARGETS: list[tuple[str, str, str, dict[str, Any], tuple[str, ...]]] = [
    (
        "register",
        "POST",
        "/protected/{fmt}/users/new",
        {
            "user": {
                "email": "cy@example.com",
                "cellphone": "201-555-0126",
                "country_code": 1,
            },
            "send_install_link_via_sms": True,
        },
        (
            "user.email",
            "user.cellphone",
            "user.country_code",
            "send_install_link_via_sms",
            "user_ip",
        ),
    ),
    (
        "sms",
        "GET",
        "/protected/{fmt}/sms/{id}",
        {"force": True, "action": "login", "action_message": "Hi"},
        ("force", "action", "action_message", "locale", "shortcode"),
    ),
    (
        "verify",
        "GET",
        "/protected/{fmt}/verify/{token}/{id}",
        {"force": True},
        ("token", "force", "action"),
    ),
    (
        "onetouch",
        "POST",
        "/onetouch/{fmt}/users/{id}/approval_requests",
        {
            "message": "Login requested",
            "details": {"Account": "1"},
            "hidden_details": {"ip": "10.0.0.1"},
            "logos": [{"res": "default", "url": "https://example.com/l.png"}],
            "seconds_to_expire": 60,
        },
        (
            "message",
            "details.Account",
            "details.key",
            "hidden_details.ip",
            "logos.0.res",
            "logos.0.url",
            "seconds_to_expire",
        ),
    ),
    (
        "start",
        "POST",
        "/protected/{fmt}/phones/verification/start",
        {"via": "sms", "country_code": 1, "phone_number": "201-555-0126"},
        (
            "via",
            "country_code",
            "phone_number",
            "code_length",
            "locale",
            "custom_message",
            "custom_code",
        ),
    ),
    (
        "check",
        "GET",
        "/protected/{fmt}/phones/verification/check",
        {"country_code": 1, "phone_number": "201-555-0125", "verification_code": "1"},
        ("country_code", "phone_number", "verification_code"),
    ),
    (
        "status",
        "GET",
        "/protected/{fmt}/phones/verification/status",
        {"country_code": 1, "phone_number": "201-555-0125"},
        ("uuid", "country_code", "phone_number"),
    ),
    (
        "info",
        "GET",
        "/protected/{fmt}/phones/info",
        {"country_code": 1, "phone_number": "201-555-0123"},
        ("country_code", "phone_number"),
    ),
]
CASES = [
    pytest.param(
        case, method, path, params, spot, hostile, id=f"{case}-{spot}-{hostile}"
    )
    for case, method, path, params, spots in TARGETS
    for spot in spots
    for hostile in HOSTILE
]


def _spoil(params: dict[str, Any], spot: str, value: str) -> dict[str, Any]:
    """A deep copy of *params* with *value* at the dotted *spot* (``details.key``
    replaces the key ``key``: the value goes in as a detail key)."""
    copy: dict[str, Any] = json.loads(json.dumps(params))
    *parents, last = spot.split(".")
    node: Any = copy
    for name in parents:
        node = node[int(name)] if isinstance(node, list) else node[name]
    if last == "key":
        node[value] = "v"
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return copy


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("case", "method", "path", "params", "spot", "hostile"), CASES)
def test_hostile_strings_are_refused_or_stored_safely(
    client: FlaskClient,
    backend: Backend,
    fmt: str,
    case: str,
    method: str,
    path: str,
    params: dict[str, Any],
    spot: str,
    hostile: str,
) -> None:
    uid = register(client)
    client.post(  # something pending for check and status to find
        "/protected/json/phones/verification/start",
        json={"via": "sms", "country_code": 1, "phone_number": "201-555-0125"},
        headers=AUTH,
    )
    value = HOSTILE[hostile]
    token = "1234567"
    if spot == "token":
        token = quote(value, safe="")
    else:
        params = _spoil(params, spot, value)
    before = comparable_state(backend)
    url = path.format(fmt=fmt, id=uid, token=token)
    resp = client.open(url, method=method, json=params, headers=AUTH)
    assert resp.status_code < 500, resp.data[:300]
    got_fmt, parsed = read_body(resp)  # valid JSON or XML, whatever was stored
    assert got_fmt == fmt
    if resp.status_code >= 400:
        assert_envelope(resp.status_code, got_fmt, parsed)
        if parsed["error_code"] != "60022":  # a wrong code is an attempt (§3.15)
            assert comparable_state(backend) == before
    _everything_renders(client, backend)


def _everything_renders(client: FlaskClient, backend: Backend) -> None:
    """Every view of the state parses: API documents in both formats, the control
    API's JSON, the inbox page's HTML and data."""
    for user_id in list(backend.users):
        for fmt in FORMATS:
            resp = client.get(f"/protected/{fmt}/users/{user_id}/status", headers=AUTH)
            assert resp.status_code == 200
            read_body(resp)
    for uuid in list(backend.approvals):
        for fmt in FORMATS:
            resp = client.get(f"/onetouch/{fmt}/approval_requests/{uuid}", headers=AUTH)
            assert resp.status_code == 200
            read_body(resp)
    for path in ("/_mock/inbox", "/_mock/approval_requests", "/_mock/snapshot"):
        resp = client.get(path)
        assert resp.status_code == 200
        json.loads(resp.get_data())
    assert_inert_page(client)


def assert_inert_page(client: FlaskClient) -> dict[str, Any]:
    """GET / and /_mock/page carry data only as escaped JSON; the page's data."""
    page = client.get("/")
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    html = page.get_data(as_text=True)
    assert html.count("<script") == 2  # the JSON state and inbox.js, nothing else
    found = re.search(
        r'<script id="tfa-state" type="application/json">(.*?)</script>', html, re.S
    )
    assert found is not None
    embedded = found.group(1)
    assert "<" not in embedded and ">" not in embedded  # \u003c, \u003e
    data = client.get("/_mock/page")
    assert data.status_code == 200
    raw = data.get_data(as_text=True)
    assert "<" not in raw and ">" not in raw
    state: dict[str, Any] = json.loads(raw)
    assert json.loads(embedded) == state
    return state


# -- the web inbox escapes what it shows ----------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_the_inbox_page_escapes_details_emails_and_messages(
    client: FlaskClient,
) -> None:
    email = f"{SCRIPT}@example.com"
    uid = register(client, email=email)
    resp = client.get(
        f"/protected/json/sms/{uid}",
        query_string={"force": "true", "action_message": SCRIPT},
        headers=AUTH,
    )
    assert resp.status_code == 200
    resp = client.post(
        "/protected/json/phones/verification/start",
        json={
            "via": "sms",
            "country_code": 1,
            "phone_number": "201-555-0125",
            "custom_message": f"{SCRIPT} {{{{code}}}}",
        },
        headers=AUTH,
    )
    assert resp.status_code == 200
    resp = client.post(
        f"/onetouch/json/users/{uid}/approval_requests",
        json={
            "message": SCRIPT,
            "details": {SCRIPT: f"</script>{SCRIPT}", "x": "<img src=x onerror=1>"},
            "logos": [{"res": "default", "url": f"javascript:{SCRIPT}"}],
        },
        headers=AUTH,
    )
    assert resp.status_code == 200
    state = assert_inert_page(client)
    # The data is all there, unchanged, for the page to show as text.
    assert state["users"][0]["email"] == email
    bodies = [m["body"] for m in state["messages"]]
    assert any(SCRIPT in body for body in bodies)
    assert sum(SCRIPT in body for body in bodies) == 2  # the SMS and the start
    (request,) = state["approval_requests"]
    assert request["message"] == SCRIPT
    assert request["details"] == {
        SCRIPT: f"</script>{SCRIPT}",
        "x": "<img src=x onerror=1>",
    }
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in html and "<img" not in html


def test_long_labels_are_refused_not_left_to_break_the_qr_image(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    before = comparable_state(backend)
    resp = client.post(
        f"/protected/json/users/{uid}/secret", json={"label": "x" * 3000}, headers=AUTH
    )
    # A QR code holds at most 2331 bytes at level M: the image could never exist.
    assert resp.status_code == 400
    assert resp.json["message"] == (  # type: ignore[index]
        "Invalid parameter: label - Too long for a QR code"
    )
    assert comparable_state(backend) == before
    resp = client.post(
        f"/protected/json/users/{uid}/secret", json={"label": "é" * 300}, headers=AUTH
    )
    assert resp.status_code == 200
    qr = client.get(resp.json["qr_code"].removeprefix("http://localhost"))  # type: ignore[index]
    assert qr.status_code == 200 and qr.data.startswith(b"\x89PNG")
    qr.close()


def test_a_long_email_cannot_break_enrollment(client: FlaskClient) -> None:
    uid = register(client, email="a" * 5000 + "@example.com")
    resp = client.post(f"/protected/xml/users/{uid}/secret", headers=AUTH)
    assert resp.status_code == 400
    got_fmt, parsed = read_body(resp)
    assert assert_envelope(400, got_fmt, parsed) == "60004"
