"""Bad input (issue 4): every endpoint, both formats, anything a client could send.

A table of known-bad requests (malformed JSON, bytes that are not UTF-8, XML with a
DOCTYPE or entities, wrong types, huge values, unknown ids, ``../`` and ``%00`` in
path segments), then hypothesis sending random parameters of every type (strings
with control characters and of 10 000 characters, huge and negative integers,
floats with NaN, booleans, nulls, lists, nested objects) in every encoding (JSON,
form, query, XML, raw bytes under random content types) to every endpoint of
API.md §3 in json and xml. Every answer: below 500, a body that parses in the format
the spec says, an error envelope of API.md §1.4 for errors, and for a 4xx the state
unchanged (journal, statistics and rate-limit windows aside; a wrong phone
verification code counts as an attempt by design, API.md §3.15).
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.hostile._support import (
    API_KEY,
    ENDPOINTS,
    Endpoint,
    assert_envelope,
    comparable_state,
    new_backend,
    read_body,
)
from tfa_mock.app import create_app
from tfa_mock.backend import Backend
from tfa_mock.config import MockConfig

# -- a small world to aim at ------------------------------------------------------


class World:
    """One mock with two users (one with a device), an approval request and a
    pending phone verification; each example starts again from this state."""

    def __init__(self) -> None:
        self.backend: Backend = new_backend()
        app = create_app(MockConfig(seed=7, api_key=API_KEY), backend=self.backend)
        self.client: FlaskClient = app.test_client()
        self.user = self._register("ana@example.com", "201-555-0123")
        self.device_user = self._register("bo@example.com", "201-555-0124")
        self.backend.install_device(int(self.device_user))
        resp = self._call(
            "POST",
            f"/onetouch/json/users/{self.user}/approval_requests",
            {"message": "Login requested", "details": {"Account": "1"}},
        )
        self.approval = str(resp["approval_request"]["uuid"])
        resp = self._call(
            "POST",
            "/protected/json/phones/verification/start",
            {"via": "sms", "country_code": 1, "phone_number": "201-555-0125"},
        )
        self.verification = str(resp["uuid"])
        self.initial = self.backend.export_snapshot()
        # Valid parameters of each endpoint (the fuzz keeps some, replaces others).
        self.baselines: dict[str, dict[str, Any]] = {
            "users/new": {
                "user": {
                    "email": "cy@example.com",
                    "cellphone": "201-555-0126",
                    "country_code": 1,
                },
                "send_install_link_via_sms": True,
            },
            "users/update": {"email": "new@example.com"},
            "users/register_activity": {"type": "banned", "data": {"k": "v"}},
            "users/secret": {"qr_size": 300, "label": "Ana"},
            "registrations/status": {"custom_user_id": "u-1"},
            "sms": {"force": True, "action": "login", "action_message": "Hi"},
            "call": {"force": "true", "locale": "en"},
            "verify": {"force": True, "action": "login"},
            "phones/verification/start": {
                "via": "sms",
                "country_code": 1,
                "phone_number": "201-555-0126",
                "code_length": 6,
                "custom_message": "Code {{code}}",
            },
            "phones/verification/check": {
                "country_code": 1,
                "phone_number": "201-555-0125",
                "verification_code": "1234",
            },
            "phones/verification/status": {"uuid": self.verification},
            "phones/info": {"country_code": "+1", "phone_number": "201-555-0123"},
            "onetouch/create": {
                "message": "Login requested",
                "details": {"Account Number": "981266321"},
                "hidden_details": {"ip": "10.0.0.1"},
                "logos": [{"res": "default", "url": "https://example.com/l.png"}],
                "seconds_to_expire": 60,
            },
        }

    def _call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        resp = self.client.open(
            path, method=method, json=body, headers={"X-TFA-API-Key": API_KEY}
        )
        assert resp.status_code == 200, resp.data
        data: dict[str, Any] = resp.json  # type: ignore[assignment]
        return data

    def _register(self, email: str, phone: str) -> str:
        body = {"user": {"email": email, "cellphone": phone, "country_code": 1}}
        return str(self._call("POST", "/protected/json/users/new", body)["user"]["id"])

    def reset(self) -> None:
        """Back to the state right after set-up (exact restore, API.md §7.13)."""
        self.backend.restore_snapshot(self.initial)


@functools.cache
def the_world() -> World:
    """The one world of this module (hypothesis draws its known ids from it)."""
    return World()


@pytest.fixture
def world() -> World:
    return the_world()


def send(
    world: World,
    fmt: str,
    method: str,
    path: str,
    *,
    body: bytes = b"",
    query: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """Send one request and check everything every answer must satisfy; the status
    and the parsed body (the envelope checked for errors)."""
    before = comparable_state(world.backend)
    resp = world.client.open(
        path,
        method=method,
        data=body,
        query_string=query.decode("latin-1") or None,
        headers=headers or {},
    )
    status = resp.status_code
    assert status < 500, (status, resp.data[:500])
    got_fmt, parsed = read_body(resp)
    if status < 400:
        assert status == 200, (status, resp.data[:500])
        assert got_fmt == fmt
        assert parsed["success"] in (True, "true"), parsed
        return status, parsed
    code = assert_envelope(status, got_fmt, parsed)
    # API.md §1.1/§1.5: route errors are always JSON, every other error in the
    # path's format.
    assert got_fmt == ("json" if code == "60000" else fmt), (code, got_fmt)
    if code != "60022":  # a wrong verification code is an attempt (API.md §3.15)
        assert comparable_state(world.backend) == before, (status, parsed)
    return status, parsed


# -- the table of known-bad input -------------------------------------------------

AUTH = {"X-TFA-API-Key": API_KEY}
_BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<hash><message>&lol2;</message></hash>"
)
BAD_BODIES: list[tuple[str, str | None, bytes, str]] = [
    # (case, content type, body, expected error code)
    ("json-truncated", "application/json", b'{"user": {"email": ', "60002"),
    ("json-array", "application/json", b'["message"]', "60002"),
    ("json-scalar", "application/json", b"42", "60002"),
    ("json-nan", "application/json", b'{"message": NaN}', "60002"),
    ("json-huge-exponent", "application/json", b'{"message": 1e999}', "60002"),
    (
        "json-huge-int",
        "application/json",
        b'{"message": 1' + b"0" * 5000 + b"}",
        "60002",
    ),
    ("json-deep", "application/json", b'{"a":' * 5000 + b"1" + b"}" * 5000, "60002"),
    ("json-latin1", "application/json", b'{"message": "caf\xe9"}', "60005"),
    ("json-lone-surrogate", "application/json", b'{"message": "\\udc00"}', "60005"),
    ("form-latin1", "application/x-www-form-urlencoded", b"message=caf\xe9", "60005"),
    ("form-bad-escape", "application/x-www-form-urlencoded", b"message=%ff", "60005"),
    ("sniffed-latin1", None, b"message=\xff\xfe", "60005"),
    ("xml-doctype", "application/xml", _BILLION_LAUGHS, "60002"),
    (
        "xml-external-entity",
        "text/xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<hash><message>&xxe;</message></hash>",
        "60002",
    ),
    ("xml-undefined-entity", "application/xml", b"<hash><m>&xxe;</m></hash>", "60002"),
    ("xml-unclosed", "application/xml", b"<hash><message>hi</hash>", "60002"),
    (
        "xml-bad-integer",
        "application/xml",
        b'<hash><n type="integer">x</n></hash>',
        "60002",
    ),
    ("xml-utf16", "application/xml", "<hash/>".encode("utf-16"), "60005"),
    ("xml-deep", "application/xml", b"<a>" * 300 + b"</a>" * 300, "60002"),
]


@pytest.mark.parametrize(("case", "content_type", "body", "code"), BAD_BODIES)
@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if e.name in ("users/new", "sms", "onetouch/create")],
    ids=lambda e: e.name,
)
def test_malformed_bodies_are_refused_in_the_envelope(
    world: World,
    endpoint: Endpoint,
    fmt: str,
    case: str,
    content_type: str | None,
    body: bytes,
    code: str,
) -> None:
    world.reset()
    headers = dict(AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    path = endpoint.url(fmt, id=world.user)
    status, parsed = send(world, fmt, endpoint.method, path, body=body, headers=headers)
    assert (status, parsed["error_code"]) == (400, code), case


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_invalid_utf8_in_the_query_is_60005(world: World, fmt: str) -> None:
    world.reset()
    status, parsed = send(
        world, fmt, "GET", f"/protected/{fmt}/sms/{world.user}", query=b"action=%C3%28"
    )
    assert (status, parsed["error_code"]) == (400, "60005")


WRONG_TYPES: list[tuple[str, str, dict[str, Any], str]] = [
    # (endpoint, path suffix after /protected/{fmt}, JSON body, expected error code)
    ("users/new", "/users/new", {"user": "ana"}, "60027"),
    ("users/new", "/users/new", {"user": {"email": ["a"], "cellphone": {}}}, "60027"),
    (
        "users/new",
        "/users/new",
        {
            "user": {
                "email": "a@b.co",
                "cellphone": "201-555-0123",
                "country_code": 10**40,
            }
        },
        "60027",
    ),
    ("sms", "/sms/{id}", {"force": "maybe"}, "60004"),
    ("sms", "/sms/{id}", {"force": 2}, "60004"),
    ("sms", "/sms/{id}", {"action": {"a": 1}}, "60004"),
    ("verify", "/verify/123456/{id}", {"force": [True]}, "60004"),
    ("secret", "/users/{id}/secret", {"qr_size": 10**30}, "60004"),
    ("secret", "/users/{id}/secret", {"qr_size": -300}, "60004"),
    ("activity", "/users/{id}/register_activity", {"type": ["banned"]}, "60004"),
    (
        "start",
        "/phones/verification/start",
        {"via": "sms", "country_code": -1, "phone_number": "201-555-0123"},
        "60033",
    ),
    (
        "start",
        "/phones/verification/start",
        {"via": "sms", "country_code": 1.5, "phone_number": "201-555-0123"},
        "60004",
    ),
    (
        "start",
        "/phones/verification/start",
        {"via": "sms", "country_code": 1, "phone_number": "2" * 100_000},
        "60033",
    ),
    (
        "start",
        "/phones/verification/start",
        {
            "via": "sms",
            "country_code": 1,
            "phone_number": "201-555-0123",
            "code_length": 10**20,
        },
        "60004",
    ),
    (
        "check",
        "/phones/verification/check",
        {"country_code": "1", "phone_number": None, "verification_code": "1234"},
        "60004",
    ),
    (
        "info",
        "/phones/info",
        {"country_code": True, "phone_number": "2015550123"},
        "60004",
    ),
    ("status", "/phones/verification/status", {"uuid": {"x": 1}}, "60004"),
    ("registrations", "/registrations/status", {"custom_user_id": []}, "60004"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("name", "suffix", "body", "code"), WRONG_TYPES)
def test_wrong_types_and_huge_values_are_4xx(
    world: World, fmt: str, name: str, suffix: str, body: dict[str, Any], code: str
) -> None:
    world.reset()
    method = "GET" if name in ("sms", "verify", "check", "info", "status") else "POST"
    if name == "registrations":
        method = "GET"
    path = f"/protected/{fmt}" + suffix.format(id=world.user)
    _, parsed = send(
        world,
        fmt,
        method,
        path,
        body=json.dumps(body).encode(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert parsed["error_code"] == code, (name, parsed)


# Path segments as they travel (already percent-encoded where shown).
HOSTILE_SEGMENTS = [
    "..",
    "%2e%2e",
    "..%2F",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "1000%00",
    "%ff",
    "a%2Fb",
    "%252e%252e",
    "-1",
    "1e3",
    "0x3e8",
    "%201000",
    "9" * 40,
    "1" * 10_000,
    "%3Cscript%3E",
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("segment", HOSTILE_SEGMENTS)
@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if "{" in e.path.replace("{fmt}", "")],
    ids=lambda e: e.name,
)
def test_hostile_path_segments_are_not_found(
    world: World, endpoint: Endpoint, segment: str, fmt: str
) -> None:
    world.reset()
    path = endpoint.url(fmt, id=segment, token=segment, uuid=segment)
    status, parsed = send(world, fmt, endpoint.method, path, headers=AUTH)
    # The endpoint's own not-found (API.md §1.1); a decoded "/" may make another
    # path, which no route has (404/60000), unless it ends the path (a trailing
    # slash is ignored).
    own = {"verify": "60016", "onetouch/status": "60049"}.get(endpoint.name, "60026")
    expected = {own, "60000"} if "%2f" in segment.lower() else {own}
    assert status == 404 and parsed["error_code"] in expected, parsed


UNROUTED = [
    ("GET", "/protected/yaml/app/details"),
    ("GET", "/protected/JSON/app/details"),
    ("GET", "/protected/json%00/app/details"),
    ("POST", "/protected/json/app/details"),
    ("DELETE", "/protected/xml/users/{id}/status"),
    ("PUT", "/protected/xml/users/new"),
    ("GET", "/protected/json/reporting/events"),
    ("GET", "/dashboard/json/apps"),
    ("POST", "/protected/json/../../_mock/reset"),
    ("POST", "/protected/json/%2e%2e/%2e%2e/_mock/reset"),
    ("GET", "/protected/xml//users/{id}/status"),
    ("GET", "/onetouch/xml/approval_requests"),
]


@pytest.mark.parametrize(("method", "path"), UNROUTED)
def test_unrouted_requests_are_404_60000_in_json(
    world: World, method: str, path: str
) -> None:
    world.reset()
    status, parsed = send(
        world, "json", method, path.format(id=world.user), headers=AUTH
    )
    assert (status, parsed["error_code"]) == (404, "60000")


# -- hypothesis: random parameters everywhere ------------------------------------

_CONTROL = st.characters(max_codepoint=0x1F) | st.sampled_from(
    "\x7f\x85\u2028\u2029\ufeff\ufffe\uffff"
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, 1, -1, 2**31, 2**63, -(2**63), 10**100, -(10**100)]),
    st.floats(),
    st.text(max_size=20),
    st.text(_CONTROL, min_size=1, max_size=8),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 10_000,
            "7" * 10_000,
            "true",
            "FALSE",
            "+1",
            "201-555-0123",
            "ana@example.com",
            "sms",
            "call",
            "banned",
            "default",
            "<script>alert(1)</script>",
            "]]><x>",
            "../",
            "\x00",
            "{{code}}",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
COMMON_PARAMS = ("api_key", "user_ip", "res", "url", "email", "cellphone")
CONTENT_TYPES = [
    None,
    "",
    "application/json",
    "application/json; charset=latin-1",
    "application/x-www-form-urlencoded",
    "application/xml",
    "text/xml",
    "text/plain",
    "multipart/form-data; boundary=xyz",
    "application/octet-stream",
    "APPLICATION/JSON",
]
RAW_BODIES = st.one_of(
    st.binary(max_size=64),
    st.sampled_from(
        [
            b"{",
            b"<",
            b"<hash>",
            b"\xef\xbb\xbf{}",
            b"\x00\x00\x00",
            b'{"a":"\\ud800"}',
            b"a[b][c]=1&a[b]=2&a[]=3",
            b"a[[b]]=1&]=2&[=3",
            b'<hash><a type="array"><b/></a><c nil="true">x</c></hash>',
        ]
    ),
)


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def form_pairs(key: str, value: Any) -> list[tuple[str, str]]:
    """Rails bracket keys (API.md §1.3) of one parameter."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in form_pairs(f"{key}[{k}]", v)]
    if isinstance(value, list):
        return [p for v in value for p in form_pairs(f"{key}[]", v)]
    return [(key, _scalar_text(value))]


def form_encode(params: dict[str, Any]) -> bytes:
    pairs = [p for k, v in params.items() for p in form_pairs(k, v)]
    return "&".join(
        quote(k, safe="[]") + "=" + quote(v, safe="") for k, v in pairs
    ).encode()


def _xml_name(key: str) -> str:
    name = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "_-") else "_" for ch in key
    )
    return name if name[:1].isalpha() else "k" + name


def xml_element(key: str, value: Any) -> str:
    """Rails-style XML of one parameter; control characters stay raw on purpose
    (they make the document malformed, which must be a 400)."""
    name = _xml_name(key)
    if value is None:
        return f'<{name} nil="true"/>'
    if isinstance(value, bool):
        return f'<{name} type="boolean">{_scalar_text(value)}</{name}>'
    if isinstance(value, int):
        return f'<{name} type="integer">{value}</{name}>'
    if isinstance(value, float):
        return f'<{name} type="float">{value!r}</{name}>'
    if isinstance(value, list):
        inner = "".join(xml_element("item", v) for v in value)
        return f'<{name} type="array">{inner}</{name}>'
    if isinstance(value, dict):
        if all(_xml_name(k) == k for k in value):
            inner = "".join(xml_element(k, v) for k, v in value.items())
            return f"<{name}>{inner}</{name}>"
        inner = "".join(
            f"<item key={quoteattr(k)}>{escape(_scalar_text(v))}</item>"
            for k, v in value.items()
            if not isinstance(v, (dict, list))
        )
        return f"<{name}>{inner}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def xml_encode(params: dict[str, Any]) -> bytes:
    inner = "".join(xml_element(k, v) for k, v in params.items())
    return f"<hash>{inner}</hash>".encode("utf-8", "surrogatepass")


@st.composite
def requests(draw: st.DrawFn, world: World, endpoint: Endpoint) -> dict[str, Any]:
    """One request to *endpoint*: segments, parameters, their encoding, the key."""
    names = st.sampled_from((*endpoint.params, *COMMON_PARAMS)) | st.text(max_size=8)
    # Valid parameters with some left out and some replaced by random ones, so
    # requests also get past the first check of each endpoint.
    baseline = world.baselines.get(endpoint.name, {})
    kept = draw(st.sets(st.sampled_from(sorted(baseline)))) if baseline else set()
    params = {k: v for k, v in baseline.items() if k in kept}
    params.update(draw(st.dictionaries(names, VALUES, max_size=4)))
    where_key = draw(
        st.sampled_from(["header", "header", "header", "authy", "param", "none", "bad"])
    )
    headers: dict[str, str] = {}
    if where_key == "header":
        headers["X-TFA-API-Key"] = API_KEY
    elif where_key == "authy":
        headers["x-authy-api-key"] = API_KEY
    elif where_key == "param":
        params["api_key"] = API_KEY
    elif where_key == "bad":
        headers["X-TFA-API-Key"] = draw(
            st.sampled_from(["", " ", API_KEY[:-1], "\x00"])
        )
    encoding = draw(st.sampled_from(["json", "form", "query", "xml", "raw"]))
    body, query = b"", b""
    content_type: str | None = None
    if encoding == "json":
        body = json.dumps(params).encode("utf-8", "surrogatepass")
        content_type = draw(st.sampled_from([None, "application/json"]))
    elif encoding == "form":
        body = form_encode(params)
        content_type = draw(
            st.sampled_from([None, "application/x-www-form-urlencoded"])
        )
    elif encoding == "query":
        query = form_encode(params)
    elif encoding == "xml":
        body = xml_encode(params)
        content_type = draw(st.sampled_from([None, "application/xml", "text/xml"]))
    else:
        body = draw(RAW_BODIES)
        content_type = draw(st.sampled_from(CONTENT_TYPES))
        query = form_encode(params)
    if content_type is not None:
        headers["Content-Type"] = content_type
    known = st.sampled_from([world.user, world.device_user])
    segment = st.one_of(
        known,
        known,
        known,
        st.sampled_from(["1000", "999999", "0"]),
        st.sampled_from(HOSTILE_SEGMENTS),
        st.text(max_size=12).map(lambda s: quote(s, safe="")),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
    )
    token = st.one_of(st.from_regex(r"[0-9]{6,12}", fullmatch=True), segment)
    uuid = st.one_of(st.just(world.approval), st.just(world.verification), segment)
    return {
        "segments": {"id": draw(segment), "token": draw(token), "uuid": draw(uuid)},
        "headers": headers,
        "body": body,
        "query": query,
    }


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_parameters_never_break_an_endpoint(
    endpoint: Endpoint, fmt: str, data: st.DataObject
) -> None:
    world = the_world()
    world.reset()
    request = data.draw(requests(world, endpoint))
    status, parsed = send(
        world,
        fmt,
        endpoint.method,
        endpoint.url(fmt, **request["segments"]),
        body=request["body"],
        query=request["query"],
        headers=request["headers"],
    )
    event(f"{status} {parsed.get('error_code', '')}")  # --hypothesis-show-statistics
