"""The control API's approval decisions (API.md §7.8-7.9) and snapshots (§7.13)."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mock._bodies import compact
from tests.mock._users import register
from tests.mock.conftest import API_KEY, NOW
from tests.mock.test_control import NOT_FOUND, envelope, ok
from tfa_mock.backend import Backend
from tfa_mock.backend.records import Delivery

AUTH = {"X-TFA-API-Key": API_KEY}


def create_request(client: FlaskClient, uid: int, **fields: Any) -> str:
    body = {"message": "Login requested", **fields}
    resp = client.post(
        f"/onetouch/json/users/{uid}/approval_requests", json=body, headers=AUTH
    )
    assert resp.status_code == 200, resp.data
    uuid: str = resp.json["approval_request"]["uuid"]  # type: ignore[index]
    return uuid


def document(client: FlaskClient, uuid: str) -> dict[str, Any]:
    resp = client.get(f"/onetouch/json/approval_requests/{uuid}", headers=AUTH)
    found: dict[str, Any] = ok(resp)["approval_request"]
    return found


# -- §7.8-7.9 approval requests ------------------------------------------------------


def test_list_approve_deny(client: FlaskClient, backend: Backend) -> None:
    ana = register(client)
    bob = register(client, cellphone="201-555-0199", email="bob@example.com")
    first = create_request(client, ana, details={"Account Number": "981266321"})
    second = create_request(client, bob)
    listed = ok(client.get("/_mock/approval_requests"))["approval_requests"]
    assert listed == [document(client, first), document(client, second)]
    assert listed[0]["details"] == {"Account Number": "981266321"}

    backend.clock.advance(5)
    resp = client.post(f"/_mock/approval_requests/{first}/approve")
    approved = document(client, first)
    assert resp.data == compact({"approval_request": approved, "success": True})
    assert approved["status"] == "approved"
    assert approved["processed_at"] == "2023-11-14T22:13:25Z"
    denied = ok(client.post(f"/_mock/approval_requests/{second}/deny"))
    assert denied["approval_request"]["status"] == "denied"

    def uuids(query: str) -> list[str]:
        found = ok(client.get(f"/_mock/approval_requests?{query}"))
        return [d["uuid"] for d in found["approval_requests"]]

    assert uuids("status=approved") == [first]
    assert uuids(f"user_id={bob}") == [second]
    assert uuids("status=pending") == []
    assert uuids("app_id=2") == []

    not_pending = envelope("Approval request is not pending", "60079")
    for uuid in (first, second):
        for action in ("approve", "deny"):
            resp = client.post(f"/_mock/approval_requests/{uuid}/{action}")
            assert (resp.status_code, resp.data) == (409, not_pending)
    assert document(client, first)["status"] == "approved"


def test_expired_requests_are_not_pending(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    uuid = create_request(client, uid, seconds_to_expire=60)
    backend.clock.advance(60)
    found = ok(client.get("/_mock/approval_requests?status=expired"))
    assert [d["uuid"] for d in found["approval_requests"]] == [uuid]
    assert client.post(f"/_mock/approval_requests/{uuid}/approve").status_code == 409


def test_unknown_approval_request(client: FlaskClient) -> None:
    uuid = "3f05a350-4b2c-0136-f779-12c0c2bf9eaa"
    for action in ("approve", "deny"):
        resp = client.post(f"/_mock/approval_requests/{uuid}/{action}")
        assert resp.status_code == 404
        assert resp.data == compact(
            {
                "message": f"Approval request not found: {uuid}",
                "success": False,
                "errors": {},
                "error_code": "60049",
            }
        )


def test_bad_status_filter(client: FlaskClient) -> None:
    resp = client.get("/_mock/approval_requests?status=done")
    assert resp.status_code == 400
    reason = "Must be one of: pending, approved, denied, expired"
    assert resp.data == envelope(f"Invalid parameter: status - {reason}", "60004")


# -- §7.13 snapshots -----------------------------------------------------------------


def busy(client: FlaskClient, backend: Backend) -> None:
    """Put something in every state container."""
    shop = ok(client.post("/_mock/apps", json={"name": "Shop"}))
    ana = register(client)
    register(client, key=shop["api_key"], cellphone="201-555-0199")
    client.get(f"/protected/json/sms/{ana}?force=true&action=login", headers=AUTH)
    client.post(f"/protected/json/users/{ana}/secret", headers=AUTH)
    client.post(
        f"/protected/json/users/{ana}/register_activity",
        json={"type": "cookie_login", "data": {"k": "v"}},
        headers=AUTH,
    )
    client.post(
        "/protected/json/phones/verification/start",
        json={"via": "sms", "country_code": 1, "phone_number": "201-555-0177"},
        headers=AUTH,
    )
    ok(client.post(f"/_mock/users/{ana}/devices", json={"kind": "iphone"}))
    uuid = create_request(client, ana, logos=[{"res": "low", "url": "https://x/l.png"}])
    ok(client.post(f"/_mock/approval_requests/{uuid}/approve"))
    create_request(client, ana, hidden_details={"ip": "10.0.0.1"})
    ok(client.post("/_mock/faults", json={"endpoint": "call", "times": 3}))
    ok(client.patch("/_mock/apps/1", json={"limits": {"requests": None}}))
    with backend.lock:  # a finished delivery: no worker involved
        backend.deliveries.append(
            Delivery(
                id=backend.next_id("delivery"),
                app_id=1,
                approval_request_uuid=uuid,
                event="approved",
                method="POST",
                url="http://127.0.0.1:9/cb",
                payload={"uuid": uuid, "nested": {"a": [1, None, True]}},
                status="failed",
                attempts=[
                    {
                        "time": NOW,
                        "nonce": "1700000000",
                        "url": "http://127.0.0.1:9/cb",
                        "request_headers": {"Content-Type": "application/json"},
                        "request_body": "{}",
                        "status_code": None,
                        "error": "timeout",
                    }
                ],
                scheduled_attempts=6,
            )
        )
    backend.clock.advance(1.25)


def test_snapshot_restores_exactly(client: FlaskClient, backend: Backend) -> None:
    busy(client, backend)
    snap = client.get("/_mock/snapshot").data
    data = json.loads(snap)
    assert data["version"] == 1 and data["clock"] == {"now": NOW + 1.25, "frozen": True}
    assert all(
        data[name]
        for name in (
            "users",
            "codes",
            "verifications",
            "approvals",
            "qr_images",
            "journal",
            "faults",
            "windows",
            "stats",
            "deliveries",
            "messages",
        )
    )
    ok(client.post("/_mock/reset"))
    assert ok(
        client.post("/_mock/snapshot", data=snap, content_type="application/json")
    )
    assert client.get("/_mock/snapshot").data == snap
    assert backend.clock.frozen and backend.now() == NOW + 1.25


def test_restore_continues_the_random_sequence(client: FlaskClient) -> None:
    register(client)
    snap = client.get("/_mock/snapshot").data
    later = register(client, cellphone="201-555-0199")
    secret = ok(client.get(f"/_mock/users/{later}"))["secret"]
    ok(client.post("/_mock/snapshot", data=snap, content_type="application/json"))
    assert register(client, cellphone="201-555-0188") == later
    assert ok(client.get(f"/_mock/users/{later}"))["secret"] == secret


def test_unseeded_generator_restores_as_unseeded() -> None:
    backend = Backend()
    snap = backend.export_snapshot()
    assert snap["random"] is None
    backend.restore_snapshot(snap)
    assert isinstance(backend.rng, random.SystemRandom)


def _edit(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """*data* with the item at *path* replaced by *value* (or deleted); an integer
    step into an object picks its n-th key."""
    edited = copy.deepcopy(data)
    target = edited
    steps = list(path)
    for index, step in enumerate(steps):
        if isinstance(target, dict) and isinstance(step, int):
            steps[index] = step = list(target)[step]
        if index < len(steps) - 1:
            target = target[step]
    if value is _DELETE:
        del target[steps[-1]]
    else:
        target[steps[-1]] = value
    return edited


_DELETE = object()

BAD_EDITS = [
    (("version",), 2),
    (("version",), True),
    (("clock",), {"now": "soon", "frozen": True}),
    (("clock", "frozen"), _DELETE),
    (("random",), [3, [1, 2], None]),
    (("random",), "seeded"),
    (("random", 1, 5), -1),
    (("apps",), []),
    (("apps", 1, 1, "api_key"), API_KEY),  # two apps with one key
    (("apps", 0, 0), 5),  # key is not the record's id
    (("users", 0, 1, "app_id"), 9),
    (("users", 0, 1, "key"), "not hex"),
    (("users", 0, 1, "unknown_field"), 1),
    (("users", 0, 1, "email"), _DELETE),
    (("messages", 0, "channel"), "fax"),
    (("messages", 0, "id"), "1"),
    (("counters", "user"), 1000),
    (("counters", "extra"), 1),
    (("approvals", 0, "request", "status"), "maybe"),
    (("phone_index", 0, 1), 4242),
    (("deliveries", 0, "app_id"), 7),
    (("extra",), {}),
    (("apps", 0, 1, "token_length"), 0),
    (("apps", 0, 1, "limits", "sends"), _DELETE),
    (("stats", 0, 1, "sms_count"), _DELETE),
    (("deliveries", 0, "in_flight"), True),
    (("users", 0, 1, "key"), ""),
    (("users", 0, 1, "email"), "not an e-mail"),
    (("approvals", 0, "request", "created_at"), 10**12),
    (("approvals", 0, "request", "logos"), []),
    (("approvals", 0, "request", "seconds_to_expire"), None),
    (("clock", "now"), -1),
    (("deliveries", 0, "attempts", 0, "request_headers"), _DELETE),
    (("deliveries", 0, "attempts", 0, "request_headers"), {"a": 1}),
    (("deliveries", 0, "attempts", 0, "status_code"), "500"),
    (("faults",), _DELETE),
]


@pytest.mark.parametrize(("path", "value"), BAD_EDITS)
def test_bad_snapshot_changes_nothing(
    client: FlaskClient, backend: Backend, path: tuple[Any, ...], value: Any
) -> None:
    busy(client, backend)
    good = client.get("/_mock/snapshot").data
    data = json.loads(good)
    resp = client.post("/_mock/snapshot", json=_edit(data, path, value))
    assert (resp.status_code, resp.data) == (
        400,
        envelope("Invalid request", "60002"),
    )
    assert client.get("/_mock/snapshot").data == good


@pytest.mark.parametrize("body", [b"", b"[]", b"{", b"null", b'{"version":1}'])
def test_snapshot_that_is_no_snapshot(client: FlaskClient, body: bytes) -> None:
    resp = client.post("/_mock/snapshot", data=body, content_type="application/json")
    assert (resp.status_code, resp.data) == (400, envelope("Invalid request", "60002"))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


_LEAVES = st.none() | st.booleans() | st.integers(-3, 10**6) | st.text(max_size=4)


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.randoms(use_true_random=False), value=_LEAVES | st.lists(_LEAVES))
def test_any_edit_is_restored_exactly_or_refused(
    client: FlaskClient, backend: Backend, pick: random.Random, value: Any
) -> None:
    ok(client.post("/_mock/reset"))
    backend.clock.freeze()
    busy(client, backend)
    good = client.get("/_mock/snapshot").data
    data = json.loads(good)
    path = pick.choice(_paths(data))
    edited = _edit(data, path, value)
    resp = client.post("/_mock/snapshot", json=edited)
    if resp.status_code == 200:
        assert json.loads(client.get("/_mock/snapshot").data) == edited
        smoke(client)
    else:
        assert (resp.status_code, resp.data) == (
            400,
            envelope("Invalid request", "60002"),
        )
        assert client.get("/_mock/snapshot").data == good


def smoke(client: FlaskClient) -> None:
    """A restored state answers the API and the control API without a 500."""
    for method, path in [
        ("GET", "/_mock/apps"),
        ("GET", "/_mock/inbox"),
        ("GET", "/_mock/faults"),
        ("GET", "/_mock/approval_requests"),
        ("GET", "/_mock/callbacks"),
        ("GET", "/_mock/users/1000"),
        ("GET", "/_mock/users/1000/totp"),
        ("GET", "/_mock/users/1000/totp?generic=1"),
        ("GET", "/_mock/requests"),
        ("GET", "/protected/json/users/1000/status"),
        ("GET", "/protected/json/sms/1000"),
        ("GET", "/protected/json/call/1000?force=true"),
        ("GET", "/protected/json/verify/1234567/1000?force=true"),
        ("POST", "/protected/json/users/1000/secret"),
        ("GET", "/protected/json/app/stats"),
        ("GET", "/protected/xml/app/details"),
        (
            "GET",
            "/protected/json/phones/verification/status?country_code=1"
            "&phone_number=201-555-0177",
        ),
        ("POST", "/onetouch/json/users/1000/approval_requests?message=hi"),
        ("POST", "/_mock/users/1000/devices"),
        ("POST", "/_mock/clock?advance=1"),
        ("POST", "/_mock/reset"),
    ]:
        resp = client.open(path, method=method, headers=AUTH)
        assert resp.status_code != 500, (path, resp.data)


def test_restored_state_serves_the_api(client: FlaskClient, backend: Backend) -> None:
    busy(client, backend)
    snap = client.get("/_mock/snapshot").data
    ok(client.post("/_mock/reset"))
    ok(client.post("/_mock/snapshot", data=snap, content_type="application/json"))
    status = client.get("/protected/json/users/1000/status", headers=AUTH)
    assert ok(status)["status"]["devices"] == ["iphone"]
    assert client.post("/_mock/callbacks/9/redeliver").data == NOT_FOUND
    smoke(client)
