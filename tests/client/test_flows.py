"""The flows of the product page, end to end with the client against the real mock:
push approval (polling, expiry, signed callbacks), SMS and voice codes, phone
verification, and TOTPs of the device app and of a generic authenticator."""

from __future__ import annotations

import queue

import pytest
from flask import Flask

from tests.client.conftest import API_KEY, NOW, TIMEOUT, latest_code, set_app
from tests.client.receiver import make_receiver, serving
from tests.support.wait import wait_until
from tfa_core import otp
from tfa_core.client import Client, Status, TfaApiError, VerificationStatus
from tfa_mock.backend import Backend
from tfa_mock.server import MockServer

PHONE = "+12015550123"


def _user_with_device(tfa: Client, backend: Backend) -> int:
    user_id = tfa.register_user("ana@example.com", "201-555-0123", 1).user_id
    backend.install_device(user_id, "android")
    return user_id


def test_push_approval_with_polling(server: MockServer, backend: Backend) -> None:
    sleeps: list[float] = []
    uuid = ""

    def sleep(seconds: float) -> None:
        # The user looks at the phone while the app polls; approves on the third look.
        backend.clock.advance(seconds)
        sleeps.append(seconds)
        if len(sleeps) == 3:
            backend.approve(uuid)

    tfa = Client(API_KEY, server.url, TIMEOUT, sleep=sleep, monotonic=backend.clock.now)
    user_id = _user_with_device(tfa, backend)
    uuid = tfa.create_approval_request(
        user_id,
        "Requesting War Room Access",
        details={"Location": "California, USA", "Room": "VR Room 1"},
        hidden_details={"test": "This is a"},
        seconds_to_expire=300,
    ).uuid
    decided = tfa.wait_for_approval(uuid, timeout=60, interval=2)
    assert decided.status is Status.APPROVED
    assert decided.processed_at == NOW + 6
    assert sleeps == [2, 2, 2]


def test_push_approval_denied(tfa: Client, backend: Backend) -> None:
    user_id = _user_with_device(tfa, backend)
    uuid = tfa.create_approval_request(user_id, "Transfer $500?").uuid
    backend.deny(uuid)
    assert tfa.wait_for_approval(uuid, timeout=10).status is Status.DENIED


def test_push_approval_expires_while_polling(tfa: Client, backend: Backend) -> None:
    user_id = _user_with_device(tfa, backend)
    uuid = tfa.create_approval_request(user_id, "Log in?", seconds_to_expire=30).uuid
    expired = tfa.wait_for_approval(uuid, timeout=300, interval=10)
    assert expired.status is Status.EXPIRED
    assert expired.processed_at == NOW + 30
    assert backend.clock.now() == NOW + 30  # three polls ten clock seconds apart


def test_polling_gives_up_at_the_timeout(tfa: Client, backend: Backend) -> None:
    user_id = _user_with_device(tfa, backend)
    uuid = tfa.create_approval_request(user_id, "Log in?").uuid
    still = tfa.wait_for_approval(uuid, timeout=5, interval=2)
    assert still.status is Status.PENDING
    assert backend.clock.now() == NOW + 5


@pytest.mark.parametrize(
    ("method", "decide", "status"),
    [("POST", "approve", "approved"), ("GET", "deny", "denied")],
)
def test_push_approval_with_a_signed_callback(
    tfa: Client, backend: Backend, method: str, decide: str, status: str
) -> None:
    events: queue.Queue[tuple[str, str]] = queue.Queue()

    def receiver(url: str) -> Flask:
        return make_receiver(tfa, url, lambda *event: events.put(event))

    with serving(receiver) as callback_url:
        set_app(backend, callback_url=callback_url, callback_method=method)
        user_id = _user_with_device(tfa, backend)
        uuid = tfa.create_approval_request(user_id, "Log in to Shop?").uuid
        getattr(backend, decide)(uuid)
        # The receiver has the callback before the sender records its answer: wait
        # for the recorded outcome itself, not for the receiver.
        (delivery,) = wait_until(
            backend,
            lambda: [d for d in backend.list_deliveries() if d["status"] != "pending"],
            what="the delivery's recorded outcome",
        )
        assert events.get_nowait() == (uuid, status)  # verified by the receiver
    assert tfa.get_approval_request(uuid).status is Status(status)
    assert delivery["status"] == "delivered"
    assert delivery["attempts"][-1]["status_code"] == 204


def test_a_callback_signed_with_another_key_is_refused(
    tfa: Client, backend: Backend
) -> None:
    events: queue.Queue[tuple[str, str]] = queue.Queue()
    impostor = Client("some-other-app-key")

    def receiver(url: str) -> Flask:
        return make_receiver(impostor, url, lambda *event: events.put(event))

    with serving(receiver) as callback_url:
        set_app(backend, callback_url=callback_url)
        user_id = _user_with_device(tfa, backend)
        uuid = tfa.create_approval_request(user_id, "Log in?").uuid
        backend.approve(uuid)
        (delivery,) = wait_until(
            backend,
            lambda: [d for d in backend.list_deliveries() if d["attempts"]],
            what="the first attempt's recorded answer",
        )
    attempt = delivery["attempts"][0]
    assert attempt["status_code"] == 401
    assert events.empty()


def test_sms_code_flow(tfa: Client, backend: Backend) -> None:
    user_id = _user_with_device(tfa, backend)
    assert tfa.request_sms(user_id).ignored  # has the app: SMS not needed
    assert not tfa.request_sms(user_id, force=True).ignored
    code = latest_code(backend, PHONE, "sms")
    verified = tfa.verify_token(user_id, code)
    assert verified.device is not None and verified.device.os_type == "sms"
    assert tfa.user_status(user_id).confirmed


def test_voice_code_flow(tfa: Client, backend: Backend) -> None:
    user_id = tfa.register_user("ana@example.com", "201-555-0123", 1).user_id
    tfa.request_call(user_id)
    code = latest_code(backend, PHONE, "voice")
    assert tfa.verify_token(user_id, code).message == "Token is valid."
    backend.clock.advance(601)  # sms_token_ttl: a code is good for 600 s
    tfa.request_call(user_id)
    late = latest_code(backend, PHONE, "voice")
    backend.clock.advance(601)
    with pytest.raises(TfaApiError) as caught:
        tfa.verify_token(user_id, late)
    assert caught.value.token_invalid


def test_phone_verification_flow(tfa: Client, backend: Backend) -> None:
    started = tfa.start_phone_verification(1, "201-555-0123", via="sms")
    code = latest_code(backend, PHONE)
    assert len(code) == 4
    assert tfa.check_phone_verification(1, "201-555-0123", code).message
    status = tfa.phone_verification_status(uuid=started.uuid)
    assert status.status is VerificationStatus.VERIFIED


def test_device_app_totp_flow(tfa: Client, backend: Backend) -> None:
    user_id = _user_with_device(tfa, backend)
    backend.clock.advance(25)
    with backend.lock:
        key = backend.users[user_id].key
    # API.md §5.2: the device app shows 7 digits every 10 s.
    code = otp.totp(key, now=backend.clock.now(), step=10, digits=7)
    verified = tfa.verify_token(user_id, code)
    device = backend.users[user_id].device
    assert verified.device is not None and device is not None
    assert (verified.device.os_type, verified.device.id) == ("android", device.id)
    with pytest.raises(TfaApiError) as caught:
        tfa.verify_token(user_id, code)  # a step is accepted once
    assert caught.value.error_code == "60019"


def test_generic_authenticator_totp_flow(tfa: Client, backend: Backend) -> None:
    user_id = tfa.register_user("ana@example.com", "201-555-0123", 1).user_id
    qr = tfa.generic_authenticator(user_id)
    assert qr.issuer == "Default App"
    with backend.lock:
        key = backend.users[user_id].key
    # API.md §5.3: a generic authenticator shows 6 digits every 30 s.
    code = otp.totp(key, now=backend.clock.now(), step=30, digits=6)
    verified = tfa.verify_token(user_id, code)
    assert verified.device is not None and verified.device.os_type == "generic"
