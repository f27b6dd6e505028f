"""The control API (API.md §7) through the Flask test client, then the backend state."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from tests.mock._bodies import compact, error
from tests.mock._users import register
from tests.mock.conftest import API_KEY, NOW
from tests.support.wait import wait_for
from tfa_mock import __version__
from tfa_mock.app import create_app
from tfa_mock.backend import Backend
from tfa_mock.backend.snapshot import CONTAINERS
from tfa_mock.config import MockConfig

KEY_HEX = "0102030405060708090a0b0c0d0e0f1011121314"  # API.md §5.8
PHONE = "+12015550123"


def envelope(message: str, code: str) -> bytes:
    return compact(error(code, message))


def invalid(name: str, reason: str) -> bytes:
    return envelope(f"Invalid parameter: {name} - {reason}", "60004")


NOT_FOUND = envelope("Not found", "60000")
USER_NOT_FOUND = envelope("User not found.", "60026")
BAD_REQUEST = envelope("Invalid request", "60002")


def send_sms(client: FlaskClient, uid: int, key: str = API_KEY) -> TestResponse:
    return client.get(
        f"/protected/json/sms/{uid}?force=true", headers={"X-TFA-API-Key": key}
    )


def ok(resp: TestResponse) -> Any:
    assert resp.status_code == 200, resp.data
    assert resp.content_type == "application/json; charset=utf-8"
    return resp.json


# -- §7.2 health and reset -----------------------------------------------------------


def test_health(client: FlaskClient) -> None:
    resp = client.get("/_mock/health")
    assert resp.status_code == 200
    assert resp.data == compact({"ok": True, "version": __version__})


def test_full_reset_goes_back_to_the_start_state(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    secret = ok(client.get(f"/_mock/users/{uid}"))["secret"]
    send_sms(client, uid)
    ok(client.post("/_mock/faults", json={"endpoint": "sms"}))
    ok(client.post("/_mock/apps", json={"name": "Shop"}))
    assert ok(client.post("/_mock/reset")) == {"ok": True}
    assert backend.clock.frozen is False  # real and running again
    assert [a["app_id"] for a in ok(client.get("/_mock/apps"))["apps"]] == [1]
    assert client.get(f"/_mock/users/{uid}").data == USER_NOT_FOUND
    assert ok(client.get("/_mock/inbox")) == {"messages": []}
    assert ok(client.get("/_mock/faults")) == {"faults": []}
    # Counters restart and the generator is re-seeded: the same id, the same secret.
    assert register(client) == uid == 1000
    assert ok(client.get(f"/_mock/users/{uid}"))["secret"] == secret


def test_reset_of_one_app_keeps_the_others_and_the_app(client: FlaskClient) -> None:
    shop = ok(client.post("/_mock/apps", json={"name": "Shop", "token_length": 6}))
    mine = register(client)
    theirs = register(client, key=shop["api_key"], cellphone="201-555-0199")
    send_sms(client, mine)
    send_sms(client, theirs, key=shop["api_key"])
    assert ok(client.post("/_mock/reset", json={"app_id": 2})) == {"ok": True}
    assert client.get(f"/_mock/users/{theirs}").data == USER_NOT_FOUND
    assert ok(client.get(f"/_mock/users/{mine}"))["app_id"] == 1
    assert [m["app_id"] for m in ok(client.get("/_mock/inbox"))["messages"]] == [1]
    assert {e["app_id"] for e in ok(client.get("/_mock/requests"))["requests"]} == {1}
    apps = ok(client.get("/_mock/apps"))["apps"]
    assert apps[1] == shop  # the app and its settings stay
    assert register(client, key=shop["api_key"], cellphone="201-555-0199") == 1002


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"app_id": 9}, NOT_FOUND),
        ({"app_id": "x"}, invalid("app_id", "Must be an integer")),
        ("[1]", BAD_REQUEST),
    ],
)
def test_reset_errors(client: FlaskClient, body: Any, expected: bytes) -> None:
    data = body if isinstance(body, str) else json.dumps(body)
    resp = client.post(
        "/_mock/reset", data=data, headers={"Content-Type": "application/json"}
    )
    assert resp.status_code in (400, 404)
    assert resp.data == expected


# -- §7.3 clock ----------------------------------------------------------------------


def test_clock_moves(client: FlaskClient) -> None:
    assert client.get("/_mock/clock").data == b'{"now":1700000000.0,"frozen":true}'
    assert ok(client.post("/_mock/clock", json={"advance": 30})) == {
        "now": NOW + 30,
        "frozen": True,
    }
    assert ok(client.post("/_mock/clock", json={"set": 1800000000.5})) == {
        "now": 1800000000.5,
        "frozen": True,
    }
    assert ok(client.post("/_mock/clock", json={"unfreeze": True}))["frozen"] is False
    frozen = ok(client.post("/_mock/clock", json={"freeze": True}))
    assert frozen["frozen"] is True and frozen["now"] >= 1800000000.5
    assert ok(client.get("/_mock/clock")) == frozen


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        ({}, "clock", "Must have exactly one of: freeze, unfreeze, set, advance"),
        (
            {"freeze": True, "advance": 1},
            "clock",
            "Must have exactly one of: freeze, unfreeze, set, advance",
        ),
        ({"advance": -1}, "advance", "Must be a non-negative number"),
        ({"advance": "soon"}, "advance", "Must be a non-negative number"),
        ({"set": None}, "set", "Must be a number from 0 to 253402300799"),
        ({"freeze": False}, "freeze", "Must be true"),
        ({"set": 10**12}, "set", "Must be a number from 0 to 253402300799"),
        ({"advance": 10**12}, "advance", "Must keep the clock before the year 10000"),
    ],
)
def test_clock_errors(
    client: FlaskClient, backend: Backend, body: Any, name: str, reason: str
) -> None:
    resp = client.post("/_mock/clock", json=body)
    assert resp.status_code == 400
    assert resp.data == invalid(name, reason)
    assert backend.now() == NOW and backend.clock.frozen


# -- §7.4 apps -----------------------------------------------------------------------


def test_apps_list_create_patch(client: FlaskClient, backend: Backend) -> None:
    default = ok(client.get("/_mock/apps"))["apps"][0]
    assert list(default) == [
        "app_id",
        "object_id",
        "name",
        "api_key",
        "plan",
        "callback_url",
        "callback_method",
        "token_length",
        "sms_token_ttl",
        "sms_enabled",
        "phone_calls_enabled",
        "onetouch_enabled",
        "custom_codes_enabled",
        "callback_on_expiry",
        "limits",
    ]
    assert default["api_key"] == API_KEY and default["name"] == "Default App"
    assert len(default["object_id"]) == 24
    shop = ok(
        client.post(
            "/_mock/apps",
            json={"name": " Shop ", "sms_enabled": False, "limits": {"sends": None}},
        )
    )
    assert shop["app_id"] == 2 and shop["name"] == "Shop"
    assert len(shop["api_key"]) == 32 and shop["api_key"].isalnum()
    assert shop["sms_enabled"] is False and shop["token_length"] == 7
    assert shop["limits"] == {
        "verify_failures": {"max": 10, "window": 600},
        "sends": None,
        "verification_starts": {"max": 5, "window": 600},
        "requests": None,
    }
    patched = ok(
        client.patch(
            "/_mock/apps/2",
            json={
                "callback_url": "https://shop.example/cb",
                "callback_method": "GET",
                "limits": {"requests": {"max": 100, "window": 1}},
            },
        )
    )
    assert patched["limits"]["sends"] is None  # merged key by key
    assert patched["limits"]["requests"] == {"max": 100, "window": 1}
    assert patched["callback_url"] == "https://shop.example/cb"
    assert ok(client.get("/_mock/apps"))["apps"] == [default, patched]
    # The new key authenticates as the new app.
    details = client.get(
        "/protected/json/app/details", headers={"X-TFA-API-Key": shop["api_key"]}
    )
    assert details.json["app"]["app_id"] == 2  # type: ignore[index]
    assert backend.app(2).callback_method == "GET"


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        ({}, "name", "Parameter is required"),
        ({"name": "  "}, "name", "Parameter is required"),
        ({"name": 5}, "name", "Must be a string"),
        ({"name": "x", "api_key": API_KEY}, "api_key", "Already in use"),
        ({"name": "x", "api_key": ["k"]}, "api_key", "Must be a string"),
        (
            {"name": "x", "token_length": 9},
            "token_length",
            "Must be an integer between 6 and 8",
        ),
        (
            {"name": "x", "token_length": True},
            "token_length",
            "Must be an integer between 6 and 8",
        ),
        (
            {"name": "x", "sms_token_ttl": 0},
            "sms_token_ttl",
            "Must be an integer of at least 1",
        ),
        ({"name": "x", "sms_enabled": "yes"}, "sms_enabled", "Must be a boolean"),
        (
            {"name": "x", "callback_method": "PUT"},
            "callback_method",
            "Must be one of: POST, GET",
        ),
    ],
)
def test_app_create_errors(
    client: FlaskClient, body: Any, name: str, reason: str
) -> None:
    resp = client.post("/_mock/apps", json=body)
    assert resp.status_code == 400
    assert resp.data == invalid(name, reason)
    assert len(ok(client.get("/_mock/apps"))["apps"]) == 1


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x.example/cb",
        "/cb",
        "https://x.example/cb?a=1",
        "https://x.example/#f",
        "https://x.example:99999/",
        "http:///cb",
        "https://x .example/",
    ],
)
def test_bad_callback_url(client: FlaskClient, url: str) -> None:
    resp = client.patch("/_mock/apps/1", json={"callback_url": url})
    assert resp.status_code == 400
    assert b"Invalid parameter: callback_url - " in resp.data


@pytest.mark.parametrize(
    "limits",
    [
        {"sends": {"max": 0, "window": 1}},
        {"sends": {"max": 1, "window": 0}},
        {"sends": {"max": 1}},
        {"nope": None},
        {"sends": 5},
        ["sends"],
    ],
)
def test_bad_limits_change_nothing(
    client: FlaskClient, backend: Backend, limits: Any
) -> None:
    before = backend.app(1)
    resp = client.patch("/_mock/apps/1", json={"name": "Renamed", "limits": limits})
    assert resp.status_code == 400
    assert b"Invalid parameter: limits - Must be an object" in resp.data
    assert backend.app(1) == before


def test_patch_unknown_app(client: FlaskClient) -> None:
    for path in ("/_mock/apps/9", "/_mock/apps/x"):
        resp = client.patch(path, json={"name": "x"})
        assert (resp.status_code, resp.data) == (404, NOT_FOUND)


def test_patch_own_key_is_not_in_use(client: FlaskClient) -> None:
    assert ok(client.patch("/_mock/apps/1", json={"api_key": API_KEY}))["api_key"] == (
        API_KEY
    )


# -- §7.5 inbox ----------------------------------------------------------------------


def test_inbox_filters_latest_and_delete(client: FlaskClient) -> None:
    ana = register(client)
    bob = register(client, cellphone="201-555-0199", email="bob@example.com")
    send_sms(client, ana)
    send_sms(client, bob)
    client.post(f"/protected/json/email/{ana}", headers={"X-TFA-API-Key": API_KEY})
    messages = ok(client.get("/_mock/inbox"))["messages"]
    assert [m["id"] for m in messages] == [1, 2, 3]
    first = messages[0]
    assert list(first) == [
        "id",
        "channel",
        "to",
        "body",
        "code",
        "purpose",
        "user_id",
        "app_id",
        "created_at",
    ]
    assert first["to"] == PHONE and first["channel"] == "sms"
    assert first["body"] == f"Your Default App verification code is: {first['code']}"
    assert first["created_at"] == NOW and first["purpose"] == "token"

    def ids(query: str) -> list[int]:
        return [m["id"] for m in ok(client.get(f"/_mock/inbox?{query}"))["messages"]]

    assert ids(f"user_id={ana}") == [1, 3]
    assert ids("channel=email") == [3]
    assert ids("to=%2B12015550123") == [1]
    assert ids("after=1&app_id=1") == [2, 3]
    assert ids("app_id=2") == []
    assert ok(client.get(f"/_mock/inbox/latest?user_id={ana}"))["id"] == 3
    assert ok(client.get("/_mock/inbox/latest?channel=sms"))["id"] == 2
    resp = client.get("/_mock/inbox/latest?channel=voice")
    assert (resp.status_code, resp.data) == (404, NOT_FOUND)
    assert ok(client.delete("/_mock/inbox")) == {"ok": True}
    assert ok(client.get("/_mock/inbox")) == {"messages": []}


@pytest.mark.parametrize(
    ("query", "name", "reason"),
    [
        ("channel=fax", "channel", "Must be one of: sms, voice, email"),
        ("user_id=ana", "user_id", "Must be an integer"),
        ("after=-1", "after", "Must be an integer"),
        ("wait=-1", "wait", "Must be a non-negative number"),
        ("wait=nan", "wait", "Must be a non-negative number"),
    ],
)
def test_inbox_filter_errors(
    client: FlaskClient, query: str, name: str, reason: str
) -> None:
    resp = client.get(f"/_mock/inbox/latest?{query}")
    assert (resp.status_code, resp.data) == (400, invalid(name, reason))


class _SignallingCondition(threading.Condition):
    """Tells a test when a waiter has started to wait (and released the lock)."""

    def __init__(self, lock: Any, waiting: threading.Event) -> None:
        super().__init__(lock)
        self.waiting = waiting

    def wait(self, timeout: float | None = None) -> bool:
        self.waiting.set()
        return super().wait(timeout)


def test_latest_waits_for_a_message(client: FlaskClient, backend: Backend) -> None:
    waiting = threading.Event()
    backend.changed = _SignallingCondition(backend.lock, waiting)

    def deliver_once_waited() -> None:
        wait_for(waiting, 30, what="the request waiting for a message")
        with backend.lock:
            backend.deliver(
                app_id=1,
                channel="sms",
                to=PHONE,
                body="late",
                code="1234",
                purpose="phone_verification",
                user_id=None,
            )

    sender = threading.Thread(target=deliver_once_waited)
    sender.start()
    resp = client.get("/_mock/inbox/latest?to=%2B12015550123&wait=30")
    sender.join()
    assert ok(resp)["body"] == "late" and waiting.is_set()


def test_latest_without_message_after_a_short_wait(client: FlaskClient) -> None:
    resp = client.get("/_mock/inbox/latest?wait=0.01")
    assert (resp.status_code, resp.data) == (404, NOT_FOUND)


# -- §7.6-7.7 users, devices, TOTP ---------------------------------------------------


def test_user_document_and_devices(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    backend.users[uid].key = bytes.fromhex(KEY_HEX)
    user = ok(client.get(f"/_mock/users/{uid}"))
    assert user == {
        "id": 1000,
        "app_id": 1,
        "email": "ana@example.com",
        "phone": PHONE,
        "country_code": 1,
        "cellphone": "201-555-0123",
        "confirmed": False,
        "suspended": False,
        "generic_enrolled": False,
        "secret": "AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYU",
        "devices": [],
        "created_at": NOW,
    }
    backend.clock.advance(50)
    with_device = ok(client.post(f"/_mock/users/{uid}/devices"))
    (device,) = with_device["devices"]
    assert list(device) == ["id", "uuid", "kind", "installed_at"]
    assert device["id"] == 100000 and device["kind"] == "android"
    assert device["installed_at"] == NOW + 50 and len(device["uuid"]) == 36
    replaced = ok(client.post(f"/_mock/users/{uid}/devices", json={"kind": "iphone"}))
    assert [(d["id"], d["kind"]) for d in replaced["devices"]] == [(100001, "iphone")]
    status = client.get(
        f"/protected/json/users/{uid}/status", headers={"X-TFA-API-Key": API_KEY}
    )
    assert status.json["status"]["devices"] == ["iphone"]  # type: ignore[index]
    assert ok(client.delete(f"/_mock/users/{uid}/devices"))["devices"] == []
    assert ok(client.delete(f"/_mock/users/{uid}/devices"))["devices"] == []


@pytest.mark.parametrize("kind", ["Android", "", "a" * 33, "i-phone", 5])
def test_bad_device_kind(client: FlaskClient, kind: Any) -> None:
    uid = register(client)
    resp = client.post(f"/_mock/users/{uid}/devices", json={"kind": kind})
    reason = "Must be 1 to 32 characters among a-z, 0-9 and _"
    assert (resp.status_code, resp.data) == (400, invalid("kind", reason))


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", ""), ("POST", "/devices"), ("DELETE", "/devices"), ("GET", "/totp")],
)
@pytest.mark.parametrize("uid", ["1000", "999", "tony"])
def test_unknown_user(client: FlaskClient, method: str, path: str, uid: str) -> None:
    resp = client.open(f"/_mock/users/{uid}{path}", method=method)
    assert (resp.status_code, resp.data) == (404, USER_NOT_FOUND)


def test_deleted_user_is_not_found(client: FlaskClient) -> None:
    uid = register(client)
    client.post(
        f"/protected/json/users/{uid}/delete", headers={"X-TFA-API-Key": API_KEY}
    )
    assert client.get(f"/_mock/users/{uid}").data == USER_NOT_FOUND


def test_totp_of_device_and_generic(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    backend.users[uid].key = bytes.fromhex(KEY_HEX)
    # API.md §5.8 test values at 1700000000.
    assert client.get(f"/_mock/users/{uid}/totp").data == compact(
        {"code": "6068610", "digits": 7, "period": 10, "seconds_left": 10}
    )
    assert client.get(f"/_mock/users/{uid}/totp?generic=1").data == compact(
        {"code": "957349", "digits": 6, "period": 30, "seconds_left": 10}
    )
    client.patch("/_mock/apps/1", json={"token_length": 8})
    assert ok(client.get(f"/_mock/users/{uid}/totp"))["code"] == "36068610"
    backend.clock.advance(3.5)
    assert ok(client.get(f"/_mock/users/{uid}/totp"))["seconds_left"] == 7
    # With the device installed, the code it shows is one verify accepts.
    ok(client.post(f"/_mock/users/{uid}/devices"))
    code = ok(client.get(f"/_mock/users/{uid}/totp"))["code"]
    verify = client.get(
        f"/protected/json/verify/{code}/{uid}?force=true",
        headers={"X-TFA-API-Key": API_KEY},
    )
    assert verify.status_code == 200, verify.data


# -- §7.10 callbacks, §7.11 journal --------------------------------------------------


def test_callbacks_without_deliveries(client: FlaskClient) -> None:
    assert client.get("/_mock/callbacks").data == b'{"callbacks":[]}'
    for path in ("/_mock/callbacks/1/redeliver", "/_mock/callbacks/x/redeliver"):
        resp = client.post(path)
        assert (resp.status_code, resp.data) == (404, NOT_FOUND)


def test_journal(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    backend.clock.advance(10)
    send_sms(client, uid)
    client.get("/protected/json/app/details")  # no key
    client.get("/_mock/inbox")  # control calls are not journaled
    entries = ok(client.get("/_mock/requests"))["requests"]
    assert entries[1] == {
        "time": NOW + 10,
        "method": "GET",
        "path": f"/protected/json/sms/{uid}",
        "app_id": 1,
        "status": 200,
        "error_code": None,
        "duration_ms": entries[1]["duration_ms"],
    }
    assert [e["path"] for e in entries] == [
        "/protected/json/users/new",
        f"/protected/json/sms/{uid}",
        "/protected/json/app/details",
    ]
    assert entries[2]["app_id"] is None and entries[2]["error_code"] == "60001"
    only = ok(client.get("/_mock/requests?path=/protected/json/sms"))["requests"]
    assert [e["path"] for e in only] == [f"/protected/json/sms/{uid}"]
    assert len(ok(client.get("/_mock/requests?app_id=1"))["requests"]) == 2
    assert ok(client.delete("/_mock/requests")) == {"ok": True}
    assert ok(client.get("/_mock/requests")) == {"requests": []}


# -- §7.12 faults --------------------------------------------------------------------


def test_faults(client: FlaskClient) -> None:
    uid = register(client)
    fault = ok(
        client.post(
            "/_mock/faults",
            json={"endpoint": "sms", "status": 503, "error_code": "60007", "times": 2},
        )
    )
    assert fault == {
        "id": 1,
        "endpoint": "sms",
        "to": None,
        "times": 2,
        "status": 503,
        "error_code": "60007",
        "message": "Injected fault",
        "delay_ms": 0,
        "drop_message": False,
    }
    assert send_sms(client, uid).data == envelope("Injected fault", "60007")
    assert ok(client.get("/_mock/faults"))["faults"][0]["times"] == 1
    assert send_sms(client, uid).status_code == 503
    assert ok(client.get("/_mock/faults")) == {"faults": []}
    assert ok(send_sms(client, uid))["success"] is True
    dropped = {"endpoint": "*", "to": PHONE, "drop_message": True}
    assert ok(client.post("/_mock/faults", json=dropped))["id"] == 2
    assert ok(send_sms(client, uid))["success"] is True
    assert len(ok(client.get("/_mock/inbox"))["messages"]) == 1  # the dropped one
    ok(client.post("/_mock/faults", json={"endpoint": "verify"}))
    assert ok(client.delete("/_mock/faults")) == {"ok": True}
    assert ok(client.get("/_mock/faults")) == {"faults": []}


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        ({}, "endpoint", "Parameter is required"),
        (
            {"endpoint": "users/new"},
            "endpoint",
            "Must be one of: sms, call, verify, phones/verification/start, onetouch, *",
        ),
        (
            {"endpoint": "sms", "to": "2015550123"},
            "to",
            "Must be an E.164 phone number",
        ),
        ({"endpoint": "sms", "times": 0}, "times", "Must be an integer of at least 1"),
        (
            {"endpoint": "sms", "status": 200},
            "status",
            "Must be an integer between 400 and 599",
        ),
        (
            {"endpoint": "sms", "error_code": "6001"},
            "error_code",
            "Must be a string of five digits",
        ),
        ({"endpoint": "sms", "message": ""}, "message", "Parameter is required"),
        (
            {"endpoint": "sms", "delay_ms": -5},
            "delay_ms",
            "Must be an integer between 0 and 60000",
        ),
        ({"endpoint": "sms", "drop_message": 1}, "drop_message", "Must be a boolean"),
    ],
)
def test_fault_errors(client: FlaskClient, body: Any, name: str, reason: str) -> None:
    resp = client.post("/_mock/faults", json=body)
    assert (resp.status_code, resp.data) == (400, invalid(name, reason))
    assert ok(client.get("/_mock/faults")) == {"faults": []}


# -- control token, routes, never a 500 ----------------------------------------------


def test_control_token(backend: Backend) -> None:
    app = create_app(
        MockConfig(api_key=API_KEY, control_token="s3cret"), backend=backend
    )
    client = app.test_client()
    denied = envelope("Invalid control token", "60001")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
        resp = client.get("/_mock/health", headers=headers)
        assert (resp.status_code, resp.data) == (401, denied)
    assert client.get("/_mock/health?control_token=s3cret").status_code == 401
    assert client.get("/_mock/nothing").status_code == 401
    good = {"Authorization": "Bearer s3cret"}
    assert client.get("/_mock/health", headers=good).status_code == 200
    assert client.get("/_mock/nothing", headers=good).data == NOT_FOUND
    # The API itself is unaffected.
    details = client.get(
        "/protected/json/app/details", headers={"X-TFA-API-Key": API_KEY}
    )
    assert details.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_mock/nope"),
        ("PUT", "/_mock/apps"),
        ("GET", "/_mock/reset"),
        ("DELETE", "/_mock/clock"),
        ("GET", "/_mock/approval_requests/x/approve"),
    ],
)
def test_unknown_control_routes(client: FlaskClient, method: str, path: str) -> None:
    resp = client.open(path, method=method)
    assert (resp.status_code, resp.data) == (404, NOT_FOUND)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_KEYS = st.sampled_from(
    [
        "name",
        "api_key",
        "limits",
        "token_length",
        "callback_url",
        "endpoint",
        "status",
        "kind",
        "set",
        "advance",
        "freeze",
        "app_id",
        "times",
        "to",
    ]
)
_BODIES = st.dictionaries(_KEYS, _JSON, max_size=4) | _JSON


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(
        [
            ("POST", "/_mock/apps"),
            ("PATCH", "/_mock/apps/1"),
            ("POST", "/_mock/faults"),
            ("POST", "/_mock/clock"),
            ("POST", "/_mock/reset"),
            ("POST", "/_mock/users/1000/devices"),
            ("POST", "/_mock/snapshot"),
        ]
    ),
    body=_BODIES,
)
def test_no_control_input_gives_a_500(
    client: FlaskClient, route: tuple[str, str], body: Any
) -> None:
    method, path = route
    resp = client.open(path, method=method, json=body)
    assert resp.status_code in (200, 400, 404, 409), resp.data
    assert resp.content_type == "application/json; charset=utf-8"


# -- the snapshot covers all state ---------------------------------------------------


def test_snapshot_containers_are_all_the_state(backend: Backend) -> None:
    not_state = {
        "clock",
        "lock",
        "changed",
        "version",
        "seed",
        "default_api_key",
        "default_app_name",
        "default_callback_url",
        "max_messages",  # caps are settings of the server, not state (issue 8)
        "max_journal",
        "max_deliveries",
        "rng",
        "_worker",
    }
    assert set(vars(backend)) - not_state == set(CONTAINERS)
