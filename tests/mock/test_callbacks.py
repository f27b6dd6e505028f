"""Signed OneTouch callbacks (API.md §4) received by a real HTTP server on loopback.

Retries are observed by moving the mock clock; waiting is on events (the receiver's
queue, the backend's change condition), never on sleeps.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from tests.mock._users import register
from tests.mock.conftest import API_KEY, NOW
from tests.support.receiver import closed_port_url, running_receiver
from tests.support.wait import wait_until
from tfa_core import signature
from tfa_mock.backend import Backend


def _create(
    client: FlaskClient, auth: dict[str, str], user_id: int, **extra: Any
) -> str:
    body = {"message": "Login requested", "details": {"Account Number": "981266321"}}
    body.update(extra)
    response = client.post(
        f"/onetouch/json/users/{user_id}/approval_requests", json=body, headers=auth
    )
    assert response.status_code == 200, response.data
    return str(response.get_json()["approval_request"]["uuid"])


def _set_app(backend: Backend, **settings: Any) -> None:
    with backend.lock:
        for name, value in settings.items():
            setattr(backend.apps[1], name, value)


def _attempts(backend: Backend) -> list[dict[str, Any]]:
    deliveries = backend.list_deliveries()
    return deliveries[0]["attempts"] if deliveries else []


def test_post_callback_is_signed_and_shaped(
    client: FlaskClient, backend: Backend, auth: dict[str, str]
) -> None:
    with running_receiver() as receiver:
        _set_app(backend, callback_url=receiver.url)
        user_id = register(client)
        backend.install_device(user_id, "android")
        uuid = _create(client, auth, user_id)
        backend.clock.advance(200)
        backend.approve(uuid)
        got = receiver.next()
        # The receiver has the callback before the sender records its answer.
        (delivery,) = wait_until(
            backend,
            lambda: [d for d in backend.list_deliveries() if d["status"] != "pending"],
            what="the delivery's recorded outcome",
        )

    assert got.method == "POST"
    assert urlsplit(got.path).path == "/tfa/callback"
    assert got.headers["Content-Type"] == "application/json"
    nonce = str(int(NOW + 200))
    for prefix in ("X-TFA", "X-Authy"):
        assert got.headers[f"{prefix}-Signature-Nonce"] == nonce
    assert got.headers["X-TFA-Signature"] == got.headers["X-Authy-Signature"]
    assert signature.verify(API_KEY, got.headers, "POST", receiver.url, got.body)
    assert not signature.verify(
        "another-key", got.headers, "POST", receiver.url, got.body
    )

    body = json.loads(got.body)
    assert list(body) == [
        "authy_id",
        "device_uuid",
        "callback_action",
        "uuid",
        "status",
        "approval_request",
        "signature",
        "device",
    ]
    assert got.body == json.dumps(body, separators=(",", ":")).encode()
    assert body["authy_id"] == user_id
    assert body["status"] == "approved"
    assert body["uuid"] == uuid
    assert body["callback_action"] == "approval_request_status"
    device = backend.users[user_id].device
    assert device is not None
    assert body["device_uuid"] == device.uuid
    transaction = body["approval_request"]["transaction"]
    assert transaction["details"] == {"Account Number": "981266321"}
    assert transaction["device_details"] == {}
    assert transaction["status"] == "approved"
    assert transaction["device_signing_time"] == int(NOW + 200)
    assert transaction["created_at_time"] == int(NOW)
    assert transaction["customer_uuid"] == 1
    assert body["approval_request"]["expiration_timestamp"] == int(NOW) + 86400
    assert body["approval_request"]["app_id"] == backend.apps[1].object_id
    assert len(body["signature"]) == 344
    assert body["device"]["os_type"] == "android"
    assert body["device"]["id"] == device.id
    assert len(body["device"]) == 14

    assert delivery["status"] == "delivered"
    assert delivery["attempts"][0]["status_code"] == 200
    assert delivery["attempts"][0]["nonce"] == nonce


def test_get_callback_sends_the_canonical_query(
    client: FlaskClient, backend: Backend, auth: dict[str, str]
) -> None:
    with running_receiver() as receiver:
        _set_app(backend, callback_url=receiver.url, callback_method="GET")
        user_id = register(client)
        uuid = _create(client, auth, user_id)
        backend.deny(uuid)
        got = receiver.next()

    assert got.method == "GET"
    assert got.body == b""
    query = urlsplit(got.path).query
    assert "status=denied" in query.split("&")
    assert "device_uuid=00000000-0000-0000-0000-000000000000" in query.split("&")
    assert signature.verify(API_KEY, got.headers, "GET", receiver.url, query)


def test_failed_attempts_are_retried_on_the_mock_clock(
    client: FlaskClient, backend: Backend, auth: dict[str, str]
) -> None:
    with running_receiver([500, 503]) as receiver:
        _set_app(backend, callback_url=receiver.url)
        user_id = register(client)
        uuid = _create(client, auth, user_id)
        backend.approve(uuid)
        assert receiver.next().method == "POST"
        wait_until(backend, lambda: len(_attempts(backend)) == 1)
        assert backend.list_deliveries()[0]["next_attempt_at"] == NOW + 1

        backend.clock.advance(1)  # the first retry is due one clock second later
        receiver.next()
        wait_until(backend, lambda: len(_attempts(backend)) == 2)
        assert backend.list_deliveries()[0]["next_attempt_at"] == NOW + 1 + 2

        backend.clock.advance(2)
        receiver.next()
        wait_until(
            backend, lambda: backend.list_deliveries()[0]["status"] == "delivered"
        )

    attempts = _attempts(backend)
    assert [a["status_code"] for a in attempts] == [500, 503, 200]
    assert [a["nonce"] for a in attempts] == [
        str(int(NOW)),
        str(int(NOW + 1)),
        str(int(NOW + 3)),
    ]


def test_refused_connection_fails_after_six_attempts(
    client: FlaskClient, backend: Backend, auth: dict[str, str]
) -> None:
    _set_app(backend, callback_url=closed_port_url())
    user_id = register(client)
    backend.approve(_create(client, auth, user_id))
    for n, delay in enumerate((1, 2, 4, 8, 16), start=1):
        wait_until(backend, lambda n=n: len(_attempts(backend)) == n)  # type: ignore[misc]
        backend.clock.advance(delay)
    wait_until(backend, lambda: backend.list_deliveries()[0]["status"] == "failed")
    attempts = _attempts(backend)
    assert len(attempts) == 6
    assert {a["error"] for a in attempts} == {"connection refused"}
    assert backend.list_deliveries()[0]["next_attempt_at"] is None


def test_a_key_change_signs_the_next_attempt_with_the_new_key(
    client: FlaskClient, backend: Backend, auth: dict[str, str]
) -> None:
    with running_receiver([500]) as receiver:
        _set_app(backend, callback_url=receiver.url)
        user_id = register(client)
        backend.approve(_create(client, auth, user_id))
        first = receiver.next()
        wait_until(backend, lambda: len(_attempts(backend)) == 1)
        _set_app(backend, api_key="rotated_key_0123456789abcdefghijk")
        backend.clock.advance(1)
        second = receiver.next()

    assert signature.verify(API_KEY, first.headers, "POST", receiver.url, first.body)
    assert signature.verify(
        "rotated_key_0123456789abcdefghijk",
        second.headers,
        "POST",
        receiver.url,
        second.body,
    )
    assert first.body == second.body


def test_redeliver_by_hand_makes_one_attempt_with_a_fresh_nonce(
    client: FlaskClient, backend: Backend, auth: dict[str, str]
) -> None:
    with running_receiver() as receiver:
        _set_app(backend, callback_url=receiver.url)
        user_id = register(client)
        backend.approve(_create(client, auth, user_id))
        receiver.next()
        wait_until(
            backend, lambda: backend.list_deliveries()[0]["status"] == "delivered"
        )
        backend.clock.advance(60)
        delivery = backend.redeliver(backend.list_deliveries()[0]["id"])
        again = receiver.next()

    assert again.headers["X-TFA-Signature-Nonce"] == str(int(NOW + 60))
    assert [a["nonce"] for a in delivery["attempts"]] == [
        str(int(NOW)),
        str(int(NOW + 60)),
    ]


@pytest.mark.parametrize("on_expiry", [True, False])
def test_expiry_callback_only_when_the_app_asks(
    client: FlaskClient, backend: Backend, auth: dict[str, str], on_expiry: bool
) -> None:
    with running_receiver() as receiver:
        _set_app(backend, callback_url=receiver.url, callback_on_expiry=on_expiry)
        user_id = register(client)
        uuid = _create(client, auth, user_id, seconds_to_expire=300)
        backend.clock.advance(300)
        # A read notices the expiry at once (API.md §4.2).
        response = client.get(f"/onetouch/json/approval_requests/{uuid}", headers=auth)
        assert response.get_json()["approval_request"]["status"] == "expired"
        if on_expiry:
            got = receiver.next()
            body = json.loads(got.body)
            assert body["status"] == "expired"
            assert body["approval_request"]["transaction"]["device_signing_time"] == (
                int(NOW) + 300
            )
        backend.clock.advance(10)
        backend.notice_expiries()
        assert len(backend.list_deliveries()) == (1 if on_expiry else 0)


def test_a_restored_pending_delivery_resumes_its_schedule(
    client: FlaskClient, backend: Backend, auth: dict[str, str]
) -> None:
    with running_receiver([500]) as receiver:
        _set_app(backend, callback_url=receiver.url)
        user_id = register(client)
        backend.approve(_create(client, auth, user_id))
        receiver.next()
        wait_until(backend, lambda: len(_attempts(backend)) == 1)
        saved = backend.export_snapshot()
        backend.close()

        restored = Backend(seed=7, api_key=API_KEY)
        try:
            restored.restore_snapshot(saved)
            restored.clock.advance(1)
            got = receiver.next()
            wait_until(
                restored,
                lambda: restored.list_deliveries()[0]["status"] == "delivered",
            )
        finally:
            restored.close()
    assert json.loads(got.body)["status"] == "approved"
