"""Isolation and abuse (issue 8): two apps on one mock, keys, and brute force.

* App B calls every endpoint of API.md §3 with app A's user ids, approval uuids,
  verification uuids and phone numbers: each answers its own not-found, byte for
  byte the answer to an id that never existed, with none of A's data, and A's state
  does not change (API.md §1.2: "another app's user is not found").
* A wrong, empty or missing key never reaches data: 401/60001 on every endpoint in
  both formats, whatever the parameters (API.md §1.2, §1.6 step 3).
* Brute force meets the limits of API.md §6 on the mock clock: after ten wrong
  tokens even the right one is refused with 429 and ``Retry-After`` until the
  window has passed; the fifth wrong verification code invalidates the
  verification; sends and starts are capped, per app.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.hostile._support import (
    API_KEY,
    ENDPOINTS,
    NOW,
    Endpoint,
    assert_envelope,
    comparable_state,
    read_body,
)
from tfa_mock.backend import Backend

KEY_B = "app_b_key_abcdefghijklmnopqrstuv"
A = {"X-TFA-API-Key": API_KEY}
B = {"X-TFA-API-Key": KEY_B}
FORMATS = ["json", "xml"]
WRONG = "000000"  # well-formed, and no 7-digit device code can equal it


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldA:
    """What app A owns, which app B must not reach."""

    user: int
    approval: str
    verification: str
    verification_code: str
    sms_code: str
    secrets: tuple[str, ...]  # strings of A's that no answer to B may contain


def ok(resp: TestResponse) -> dict[str, Any]:
    assert resp.status_code == 200, resp.data
    data: dict[str, Any] = resp.json  # type: ignore[assignment]
    return data


@pytest.fixture
def world(client: FlaskClient, backend: Backend) -> WorldA:
    backend.new_app({"name": "Shop B", "api_key": KEY_B})
    user = ok(
        client.post(
            "/protected/json/users/new",
            json={
                "user": {
                    "email": "ana@example.com",
                    "cellphone": "201-555-0123",
                    "country_code": 1,
                }
            },
            headers=A,
        )
    )["user"]["id"]
    backend.install_device(user)
    ok(client.get(f"/protected/json/sms/{user}?force=true", headers=A))
    sms_code = backend.inbox()[-1].code
    approval = ok(
        client.post(
            f"/onetouch/json/users/{user}/approval_requests",
            json={"message": "Login to A", "details": {"Account": "A-981266321"}},
            headers=A,
        )
    )["approval_request"]["uuid"]
    verification = ok(
        client.post(
            "/protected/json/phones/verification/start",
            json={"via": "sms", "country_code": 1, "phone_number": "201-555-0125"},
            headers=A,
        )
    )["uuid"]
    verification_code = backend.inbox()[-1].code
    assert sms_code is not None and verification_code is not None
    record = backend.user_record(user)
    app_a = backend.app(1)
    return WorldA(
        user=user,
        approval=approval,
        verification=verification,
        verification_code=verification_code,
        sms_code=sms_code,
        secrets=(
            "ana@example.com",
            "5550123",
            "XX23",
            "0123",
            "Default App",
            "Login to A",
            "A-981266321",
            record.object_id,
            app_a.object_id,
            API_KEY,
            sms_code,
            verification_code,
            record.device.uuid if record.device is not None else "no device",
        ),
    )


# -- another app's ids ----------------------------------------------------------------

# Valid parameters, so that only ownership can refuse the call.
PARAMS: dict[str, dict[str, Any]] = {
    "users/update": {"email": "mallory@example.com"},
    "users/register_activity": {"type": "banned"},
    "users/secret": {"label": "Mallory"},
    "sms": {"force": True},
    "call": {"force": True},
    "verify": {"force": True},
    "onetouch/create": {"message": "Mallory wants in"},
}
NOT_FOUND = {"verify": "60016", "onetouch/status": "60049"}
ID_ENDPOINTS = [e for e in ENDPOINTS if "{id}" in e.path or "{uuid}" in e.path]


def _call(
    client: FlaskClient,
    endpoint: Endpoint,
    fmt: str,
    headers: dict[str, str],
    *,
    user: str,
    uuid: str,
    token: str,
) -> TestResponse:
    path = endpoint.url(fmt, id=user, uuid=uuid, token=token)
    params = PARAMS.get(endpoint.name, {})
    if endpoint.method == "GET":
        return client.get(path, query_string=params, headers=headers)
    return client.post(path, json=params, headers=headers)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("endpoint", ID_ENDPOINTS, ids=lambda e: e.name)
def test_another_apps_ids_are_not_found_and_reveal_nothing(
    client: FlaskClient, backend: Backend, world: WorldA, endpoint: Endpoint, fmt: str
) -> None:
    before = comparable_state(backend)
    theirs = _call(
        client,
        endpoint,
        fmt,
        B,
        user=str(world.user),
        uuid=world.approval,
        token=world.sms_code,
    )
    unknown_uuid = "3f05a350-4b2c-0136-f779-12c0c2bf9eaa"
    nobody = _call(
        client, endpoint, fmt, B, user="999999", uuid=unknown_uuid, token="1234567"
    )
    assert theirs.status_code == nobody.status_code == 404
    got_fmt, parsed = read_body(theirs)
    assert got_fmt == fmt
    code = assert_envelope(404, got_fmt, parsed)
    assert code == NOT_FOUND.get(endpoint.name, "60026")
    # Byte for byte the answer about an id that never existed (60049 echoes the
    # uuid it was given, which the caller knew already).
    assert theirs.data.replace(world.approval.encode(), b"U") == nobody.data.replace(
        unknown_uuid.encode(), b"U"
    )
    text = theirs.get_data(as_text=True)
    for secret in world.secrets:
        assert secret not in text
    assert comparable_state(backend) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_another_apps_verifications_are_not_found(
    client: FlaskClient, backend: Backend, world: WorldA, fmt: str
) -> None:
    before = comparable_state(backend)
    base = f"/protected/{fmt}/phones/verification"
    number = {"country_code": 1, "phone_number": "201-555-0125"}
    # A's number with A's own code, from B: nothing pending for B.
    resp = client.get(
        f"{base}/check",
        query_string={**number, "verification_code": world.verification_code},
        headers=B,
    )
    _, parsed = read_body(resp)
    assert (resp.status_code, parsed["error_code"]) == (404, "60023")
    assert parsed["message"] == "No pending verifications for +1 201-555-0125 found."
    for query in ({"uuid": world.verification}, number):
        resp = client.get(f"{base}/status", query_string=query, headers=B)
        _, parsed = read_body(resp)
        assert (resp.status_code, parsed["message"]) == (
            404,
            "Phone verification not found",
        )
        assert world.verification not in resp.get_data(as_text=True)
    assert comparable_state(backend) == before
    # A's verification is untouched: its code still works for A.
    ok(
        client.get(
            f"{base}/check",
            query_string={**number, "verification_code": world.verification_code},
            headers=A,
        )
    )


def test_the_same_number_in_another_app_is_another_user_and_verification(
    client: FlaskClient, backend: Backend, world: WorldA
) -> None:
    body = {
        "user": {
            "email": "bo@b.example",
            "cellphone": "201-555-0123",
            "country_code": 1,
        }
    }
    uid_b = ok(client.post("/protected/json/users/new", json=body, headers=B))["user"][
        "id"
    ]
    assert uid_b != world.user
    assert backend.user_record(world.user).email == "ana@example.com"
    started = ok(
        client.post(
            "/protected/json/phones/verification/start",
            json={"via": "sms", "country_code": 1, "phone_number": "201-555-0125"},
            headers=B,
        )
    )
    assert started["uuid"] != world.verification
    code_b = backend.inbox()[-1].code
    assert backend.inbox()[-1].app_id == 2
    number = {"country_code": 1, "phone_number": "201-555-0125"}
    status_a = ok(
        client.get(
            "/protected/json/phones/verification/status",
            query_string=number,
            headers=A,
        )
    )
    assert status_a["uuid"] == world.verification
    if code_b != world.verification_code:
        # B's code is no code of A's.
        resp = client.get(
            "/protected/json/phones/verification/check",
            query_string={**number, "verification_code": code_b},
            headers=A,
        )
        assert resp.status_code == 401
    # Each app sees its own users and statistics only.
    stats_b = ok(client.get("/protected/json/app/stats", headers=B))
    assert (stats_b["app_id"], stats_b["total_users"]) == (2, 1)
    details_b = ok(client.get("/protected/json/app/details", headers=B))
    assert details_b["app"]["name"] == "Shop B"


def test_a_verify_from_another_app_does_not_consume_the_code(
    client: FlaskClient, world: WorldA
) -> None:
    resp = client.get(
        f"/protected/json/verify/{world.sms_code}/{world.user}?force=true", headers=B
    )
    assert resp.status_code == 404
    resp = client.get(
        f"/protected/json/verify/{world.sms_code}/{world.user}?force=true", headers=A
    )
    assert resp.status_code == 200, resp.data


# -- wrong or missing keys ------------------------------------------------------------

BAD_KEYS: dict[str, dict[str, str]] = {
    "missing": {},
    "empty": {"X-TFA-API-Key": ""},
    "blank": {"X-TFA-API-Key": "   "},
    "wrong": {"X-TFA-API-Key": "not_a_key"},
    "prefix": {"X-TFA-API-Key": API_KEY[:-1]},
    "longer": {"X-TFA-API-Key": API_KEY + "x"},
    "upper-case": {"X-TFA-API-Key": API_KEY.upper()},
    "huge": {"X-TFA-API-Key": "k" * 100_000},
    "authy-wrong": {"X-Authy-API-Key": "not_a_key"},
    # API.md §1.2: a header wins over a parameter, even a right one.
    "header-wins": {"X-TFA-API-Key": "not_a_key", "_param": API_KEY},
    "param-wrong": {"_param": "not_a_key"},
    "param-list": {"_param": "[]"},
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", sorted(BAD_KEYS))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_bad_key_never_reaches_data(
    client: FlaskClient,
    backend: Backend,
    world: WorldA,
    endpoint: Endpoint,
    key: str,
    fmt: str,
) -> None:
    headers = dict(BAD_KEYS[key])
    param_key = headers.pop("_param", None)
    params: dict[str, Any] = dict(PARAMS.get(endpoint.name, {}))
    if param_key == "[]" and endpoint.method == "GET":
        params["api_key[]"] = API_KEY  # a list in bracket keys (API.md §1.3)
    elif param_key == "[]":
        params["api_key"] = [API_KEY]
    elif param_key is not None:
        params["api_key"] = param_key
    path = endpoint.url(
        fmt, id=str(world.user), uuid=world.approval, token=world.sms_code
    )
    before = comparable_state(backend)
    journal = len(backend.journal_entries())
    if endpoint.method == "GET":
        resp = client.get(path, query_string=params, headers=headers)
    else:
        resp = client.post(path, data=json.dumps(params), headers=headers)
    assert resp.status_code == 401, resp.data
    got_fmt, parsed = read_body(resp)
    assert got_fmt == fmt
    assert assert_envelope(401, got_fmt, parsed) == "60001"
    assert parsed["message"] == "Invalid API key"
    assert comparable_state(backend) == before
    (entry,) = backend.journal_entries()[journal:]
    assert (entry.app_id, entry.status, entry.error_code) == (None, 401, "60001")


# -- brute force (API.md §6) ----------------------------------------------------------


def _verify(client: FlaskClient, token: str, uid: int) -> TestResponse:
    return client.get(f"/protected/json/verify/{token}/{uid}?force=true", headers=A)


def _device_code(backend: Backend, uid: int) -> str:
    return backend.totp_view(uid).code


def test_wrong_tokens_lock_out_even_the_right_one_until_the_window_passes(
    client: FlaskClient, backend: Backend, world: WorldA
) -> None:
    uid = world.user
    for _ in range(10):
        resp = _verify(client, WRONG, uid)
        assert (resp.status_code, resp.json["error_code"]) == (401, "60020")  # type: ignore[index]
    for token in (WRONG, _device_code(backend, uid), "abc", world.sms_code):
        resp = _verify(client, token, uid)
        assert resp.status_code == 429, token
        assert resp.headers["Retry-After"] == "600"
        assert resp.json["error_code"] == "60003"  # type: ignore[index]
    backend.clock.advance(599)
    resp = _verify(client, _device_code(backend, uid), uid)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "1"
    backend.clock.advance(1)
    resp = _verify(client, _device_code(backend, uid), uid)
    assert resp.status_code == 200, resp.data
    # The refused attempts were not events: ten fresh failures are allowed again.
    for _ in range(10):
        assert _verify(client, WRONG, uid).status_code == 401
    assert _verify(client, WRONG, uid).status_code == 429


def test_the_verify_window_slides_from_the_oldest_failure(
    client: FlaskClient, backend: Backend, world: WorldA
) -> None:
    uid = world.user
    for _ in range(10):
        assert _verify(client, WRONG, uid).status_code == 401
        backend.clock.advance(30)  # failures at +0, +30, ... +270
    resp = _verify(client, _device_code(backend, uid), uid)  # at +300
    assert (resp.status_code, resp.headers["Retry-After"]) == (429, "300")
    backend.clock.set(NOW + 600)  # the first failure left the window
    assert _verify(client, WRONG, uid).status_code == 401
    resp = _verify(client, _device_code(backend, uid), uid)
    assert (resp.status_code, resp.headers["Retry-After"]) == (429, "30")


def test_the_lockout_is_per_user_and_per_app(
    client: FlaskClient, backend: Backend, world: WorldA
) -> None:
    other = ok(
        client.post(
            "/protected/json/users/new",
            json={
                "user": {
                    "email": "bo@example.com",
                    "cellphone": "201-555-0124",
                    "country_code": 1,
                }
            },
            headers=A,
        )
    )["user"]["id"]
    backend.install_device(other)
    for _ in range(11):
        _verify(client, WRONG, world.user)
    assert _verify(client, WRONG, world.user).status_code == 429
    assert _verify(client, _device_code(backend, other), other).status_code == 200
    # B's attempts on A's user are not A's failures (and reach nothing: 60016).
    backend.clock.advance(600)
    for _ in range(20):
        resp = client.get(f"/protected/json/verify/{WRONG}/{world.user}", headers=B)
        assert resp.status_code == 404
    assert (
        _verify(client, _device_code(backend, world.user), world.user).status_code
        == 200
    )


def test_the_fifth_wrong_verification_code_invalidates_it(
    client: FlaskClient, backend: Backend, world: WorldA
) -> None:
    number = {"country_code": 1, "phone_number": "201-555-0125"}
    wrong = "0000" if world.verification_code != "0000" else "1111"
    check = "/protected/json/phones/verification/check"
    for _ in range(5):
        resp = client.get(
            check, query_string={**number, "verification_code": wrong}, headers=A
        )
        assert (resp.status_code, resp.json["error_code"]) == (401, "60022")  # type: ignore[index]
    resp = client.get(
        check,
        query_string={**number, "verification_code": world.verification_code},
        headers=A,
    )
    assert (resp.status_code, resp.json["error_code"]) == (404, "60023")  # type: ignore[index]
    status = ok(
        client.get(
            "/protected/json/phones/verification/status",
            query_string={"uuid": world.verification},
            headers=A,
        )
    )
    assert status["status"] == "expired"


def test_sends_and_starts_are_capped_per_app(
    client: FlaskClient, backend: Backend, world: WorldA
) -> None:
    uid = world.user
    # The world sent one SMS already: four more sends, shared with e-mail.
    for path in ("sms", "call", "sms", "email"):
        method = client.post if path == "email" else client.get
        assert (
            method(f"/protected/json/{path}/{uid}?force=true", headers=A).status_code
            == 200
        )
    inbox = len(backend.inbox())
    resp = client.get(f"/protected/json/sms/{uid}?force=true", headers=A)
    assert (resp.status_code, resp.headers["Retry-After"]) == (429, "600")
    assert len(backend.inbox()) == inbox  # nothing sent
    start = "/protected/json/phones/verification/start"
    body = {"via": "sms", "country_code": 1, "phone_number": "201-555-0125"}
    for _ in range(4):  # the world's start was the first
        assert client.post(start, json=body, headers=A).status_code == 200
    resp = client.post(start, json=body, headers=A)
    assert (resp.status_code, resp.headers["Retry-After"]) == (429, "600")
    # App B's count for the same number is its own.
    assert client.post(start, json=body, headers=B).status_code == 200
    backend.clock.advance(600)
    assert client.post(start, json=body, headers=A).status_code == 200
