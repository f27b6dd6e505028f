"""Every client method against the real mock over HTTP: a success and an error each.

Codes come from the backend's inbox, TOTPs from tfa_core.otp with the user's key;
waiting (retries, polling) moves the mock clock.
"""

from __future__ import annotations

import urllib.request

import pytest

from tests.client.conftest import API_KEY, NOW, TIMEOUT, latest_code, set_app
from tfa_core.client import (
    Client,
    Logo,
    Status,
    TfaApiError,
    VerificationStatus,
)
from tfa_mock.backend import Backend
from tfa_mock.server import MockServer

PHONE = "+12015550123"


def _register(tfa: Client, email: str = "ana@example.com") -> int:
    return tfa.register_user(email, "201-555-0123", 1).user_id


def _api_error(error: pytest.ExceptionInfo[TfaApiError]) -> tuple[int, str | None]:
    return error.value.status, error.value.error_code


# -- users (API.md §3.1-3.7) -----------------------------------------------------------


def test_register_user(tfa: Client, backend: Backend) -> None:
    registration = tfa.register_user("ana@example.com", "201-555-0123", 1)
    assert registration.user_id == 1000
    assert registration.message == "User created successfully."
    again = tfa.register_user("bob@example.com", "(201) 555.0123", 1)
    assert again.user_id == 1000  # one phone, one user
    with backend.lock:
        assert backend.messages[-1].purpose == "install_link"


def test_register_user_field_errors(tfa: Client) -> None:
    with pytest.raises(TfaApiError) as caught:
        tfa.register_user("ana@example.com", "12", 1)
    assert _api_error(caught) == (400, "60027")
    assert caught.value.message == "User was not valid"
    assert caught.value.field_errors == {"cellphone": "is invalid"}


def test_update_user(tfa: Client) -> None:
    user_id = _register(tfa)
    assert tfa.update_user(user_id, "ana@new.example.com").message == (
        "User was updated successfully"
    )
    assert tfa.user_status(user_id).email == "ana@new.example.com"
    with pytest.raises(TfaApiError) as caught:
        tfa.update_user(4242, "ana@example.com")
    assert _api_error(caught) == (404, "60026")


def test_delete_user(tfa: Client) -> None:
    user_id = _register(tfa)
    assert tfa.delete_user(user_id).message == "User removed from application"
    with pytest.raises(TfaApiError) as caught:
        tfa.user_status(user_id)
    assert _api_error(caught) == (404, "60026")
    with pytest.raises(TfaApiError) as caught:
        tfa.delete_user(user_id)
    assert caught.value.message == "User not found."


def test_user_status(tfa: Client, backend: Backend) -> None:
    user_id = _register(tfa)
    status = tfa.user_status(user_id, user_ip="10.0.0.1")
    assert (status.user_id, status.registered, status.confirmed) == (
        user_id,
        False,
        False,
    )
    assert status.phone_number == "XXX-XXX-0123" and status.country_code == 1
    backend.install_device(user_id, "iphone")
    status = tfa.user_status(user_id)
    assert status.registered and status.devices == ("iphone",)
    assert status.detailed_devices[0].os_type == "iphone"
    assert status.detailed_devices[0].creation_date == int(NOW)
    with pytest.raises(TfaApiError) as caught:
        tfa.user_status(999999)
    assert _api_error(caught) == (404, "60026")


def test_register_activity_bans_and_unbans(tfa: Client) -> None:
    user_id = _register(tfa)
    ack = tfa.register_activity(user_id, "banned", user_ip="10.0.0.1", data={"k": "v"})
    assert ack.message == "Activity was created."
    with pytest.raises(TfaApiError) as caught:
        tfa.request_sms(user_id, force=True)
    assert _api_error(caught) == (503, "60017")
    tfa.register_activity(user_id, "unbanned")
    assert not tfa.request_sms(user_id, force=True).ignored
    with pytest.raises(TfaApiError) as caught:
        tfa.register_activity(4242, "cookie_login")
    assert _api_error(caught) == (404, "60026")


def test_generic_authenticator(tfa: Client, server: MockServer) -> None:
    user_id = _register(tfa)
    qr = tfa.generic_authenticator(user_id, qr_size=200)
    assert (qr.label, qr.issuer) == ("ana@example.com", "Default App")
    assert qr.qr_code.startswith(server.url + "/qr/") and qr.qr_code.endswith(".png")
    with urllib.request.urlopen(qr.qr_code, timeout=5) as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    assert (
        tfa.generic_authenticator(user_id, label="Ana at Shop").label == "Ana at Shop"
    )
    with pytest.raises(TfaApiError) as caught:
        tfa.generic_authenticator(4242)
    assert _api_error(caught) == (404, "60026")


def test_registration_status(tfa: Client, server: MockServer) -> None:
    status = tfa.registration_status("customer-7")
    assert (status.status, status.user_id) == ("pending", None)
    with pytest.raises(TfaApiError) as caught:
        Client("not-the-key", server.url, TIMEOUT).registration_status("customer-7")
    assert _api_error(caught) == (401, "60001")
    assert caught.value.message == "Invalid API key"


# -- tokens (API.md §3.8-3.11) ---------------------------------------------------------


def test_request_sms_sent_and_ignored(tfa: Client, backend: Backend) -> None:
    user_id = _register(tfa)
    sent = tfa.request_sms(user_id, action_message="Shop login")
    assert not sent.ignored and sent.cellphone == "+1-XXX-XXX-XX23"
    with backend.lock:
        message = backend.messages[-1]
    assert message.channel == "sms" and message.to == PHONE
    assert message.body.endswith(f"{message.code} (Shop login)")
    backend.install_device(user_id)
    ignored = tfa.request_sms(user_id)
    assert ignored.ignored and ignored.device == "android"
    assert not tfa.request_sms(user_id, force=True).ignored
    set_app(backend, sms_enabled=False)
    with pytest.raises(TfaApiError) as caught:
        tfa.request_sms(user_id, force=True)
    assert _api_error(caught) == (503, "60007")


def test_request_call(tfa: Client, backend: Backend) -> None:
    user_id = _register(tfa)
    called = tfa.request_call(user_id, force=True, locale="es")
    assert called.message == "Call started..." and not called.ignored
    assert len(latest_code(backend, PHONE, "voice")) == 7
    set_app(backend, phone_calls_enabled=False)
    with pytest.raises(TfaApiError) as caught:
        tfa.request_call(user_id, force=True)
    assert _api_error(caught) == (503, "60006")


def test_request_email(tfa: Client, backend: Backend) -> None:
    user_id = _register(tfa)
    sent = tfa.request_email(user_id)
    assert sent.email == "ana@example.com" and sent.email_id.startswith("EM")
    assert len(sent.email_id) == 34
    assert latest_code(backend, "ana@example.com", "email")
    with pytest.raises(TfaApiError) as caught:
        tfa.request_email(4242)
    assert _api_error(caught) == (404, "60026")


def test_verify_token_forced_by_default(tfa: Client, backend: Backend) -> None:
    user_id = _register(tfa)
    # Unconfirmed users pass any token without force (API.md §3.11 warning): the
    # client forces, so a made-up token is refused.
    with pytest.raises(TfaApiError) as caught:
        tfa.verify_token(user_id, "1234567")
    assert _api_error(caught) == (401, "60020") and caught.value.token_invalid
    assert caught.value.message == "Token is invalid"
    assert tfa.verify_token(user_id, "1234567", force=False).device is not None
    tfa.request_sms(user_id)
    code = latest_code(backend, PHONE)
    verified = tfa.verify_token(user_id, code)
    assert verified.message == "Token is valid."
    assert verified.device is not None and verified.device.os_type == "sms"
    with pytest.raises(TfaApiError) as caught:
        tfa.verify_token(user_id, code)
    assert _api_error(caught) == (401, "60019") and caught.value.token_invalid
    with pytest.raises(TfaApiError) as caught:
        tfa.verify_token(4242, code)
    assert _api_error(caught) == (404, "60016")


def test_verify_token_action_binding(tfa: Client, backend: Backend) -> None:
    user_id = _register(tfa)
    tfa.request_sms(user_id, action="transfer-42")
    code = latest_code(backend, PHONE)
    with pytest.raises(TfaApiError):
        tfa.verify_token(user_id, code)  # no action: not this code
    assert tfa.verify_token(user_id, code, action="transfer-42").message


# -- the application (API.md §3.12-3.13) -----------------------------------------------


def test_app_details(tfa: Client, server: MockServer, backend: Backend) -> None:
    details = tfa.app_details()
    assert (details.app_id, details.name, details.plan) == (
        1,
        "Default App",
        "pay_as_you_go",
    )
    assert details.sms_enabled and details.phone_calls_enabled
    set_app(backend, sms_enabled=False)
    assert not tfa.app_details().sms_enabled
    with pytest.raises(TfaApiError) as caught:
        Client(API_KEY + "x", server.url, TIMEOUT).app_details()
    assert _api_error(caught) == (401, "60001")


def test_app_stats(tfa: Client, server: MockServer, backend: Backend) -> None:
    user_id = _register(tfa)
    tfa.request_sms(user_id)
    tfa.verify_token(user_id, latest_code(backend, PHONE))
    stats = tfa.app_stats()
    assert stats.app_id == 1 and stats.total_users == 1 and len(stats.stats) == 12
    month = stats.stats[-1]
    assert (month.month, month.year) == ("November", 2023)
    assert (month.users_count, month.auths_count) == (1, 1)
    assert month.sms_count == 2  # the install link and the token
    assert month.api_calls_count == 4  # register, sms, verify and this one
    with pytest.raises(TfaApiError) as caught:
        Client("wrong", server.url, TIMEOUT).app_stats()
    assert _api_error(caught) == (401, "60001")


# -- phones (API.md §3.14-3.17) --------------------------------------------------------


def test_phone_verification_start_check_status(tfa: Client, backend: Backend) -> None:
    started = tfa.start_phone_verification(1, "201-555-0123", code_length=6)
    assert started.message == "Text message sent to +1 201-555-0123."
    assert started.seconds_to_expire == 600 and started.is_cellphone is not None
    code = latest_code(backend, PHONE)
    assert len(code) == 6
    status = tfa.phone_verification_status(uuid=started.uuid)
    assert status.status is VerificationStatus.PENDING
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(TfaApiError) as caught:
        tfa.check_phone_verification(1, "201-555-0123", wrong)
    assert _api_error(caught) == (401, "60022")
    ok = tfa.check_phone_verification(1, "201-555-0123", code)
    assert ok.message == "Verification code is correct."
    by_number = tfa.phone_verification_status(
        country_code=1, phone_number="201-555-0123"
    )
    assert by_number.uuid == started.uuid
    assert by_number.status is VerificationStatus.VERIFIED
    assert by_number.seconds_to_expire == 0
    with pytest.raises(TfaApiError) as caught:
        tfa.check_phone_verification(1, "201-555-0123", code)
    assert _api_error(caught) == (404, "60023")
    assert caught.value.message == "No pending verifications for +1 201-555-0123 found."


def test_phone_verification_by_call_and_errors(tfa: Client, backend: Backend) -> None:
    started = tfa.start_phone_verification(1, "775-461-5609", via="call")
    assert started.message == "Call to +1 775-461-5609 initiated."
    with pytest.raises(TfaApiError) as caught:
        tfa.start_phone_verification(1, "123")
    assert _api_error(caught) == (400, "60033")
    with pytest.raises(TfaApiError) as caught:
        tfa.phone_verification_status(uuid="3f0e9d4c-0000-4000-8000-000000000000")
    assert _api_error(caught) == (404, "60023")
    assert caught.value.message == "Phone verification not found"


def test_phone_info(tfa: Client) -> None:
    info = tfa.phone_info(1, "201-555-0123")
    assert info.message == "Phone number information as of 2023-11-14 22:13:20 UTC"
    assert info.type in ("cellphone", "landline", "voip", "unknown")
    assert info.ported is False and info.provider is not None
    with pytest.raises(TfaApiError) as caught:
        tfa.phone_info(1, "12")
    assert _api_error(caught) == (400, "60033")


# -- approval requests (API.md §3.18-3.19) ---------------------------------------------


def test_create_and_get_approval_request(tfa: Client, backend: Backend) -> None:
    user_id = _register(tfa)
    backend.install_device(user_id)
    created = tfa.create_approval_request(
        user_id,
        "Requesting War Room Access",
        details={"Location": "California, USA", "Room": "VR Room 1"},
        hidden_details={"test": "This is a"},
        logos=[Logo(res="default", url="https://example.com/l.png")],
        seconds_to_expire=300,
    )
    info = tfa.get_approval_request(created.uuid)
    assert info.uuid == created.uuid and info.status is Status.PENDING
    assert info.message == "Requesting War Room Access"
    assert info.details == {"Location": "California, USA", "Room": "VR Room 1"}
    assert info.hidden_details == {"test": "This is a"}
    assert info.logos == (Logo(res="default", url="https://example.com/l.png"),)
    assert info.seconds_to_expire == 300 and info.notified is True
    assert info.created_at == NOW and info.processed_at is None
    assert info.user_id == user_id


def test_approval_request_errors(tfa: Client) -> None:
    with pytest.raises(TfaApiError) as caught:
        tfa.create_approval_request(4242, "Log in?")
    assert _api_error(caught) == (404, "60026")
    uuid = "3f05a350-4b2c-0136-f779-12c0c2bf9eaa"
    with pytest.raises(TfaApiError) as caught:
        tfa.get_approval_request(uuid)
    assert _api_error(caught) == (404, "60049")
    assert caught.value.message == f"Approval request not found: {uuid}"


# -- retries against the mock's own 429 ------------------------------------------------


def test_a_whole_api_429_is_waited_out_on_the_mock_clock(
    server: MockServer, backend: Backend
) -> None:
    backend.patch_app(1, {"limits": {"requests": {"max": 2, "window": 5}}})
    tfa = Client(
        API_KEY,
        server.url,
        TIMEOUT,
        retries=1,
        sleep=backend.clock.advance,
        monotonic=backend.clock.now,
    )
    tfa.app_details()
    tfa.app_details()
    before = backend.clock.now()
    assert tfa.app_details().app_id == 1  # refused once, Retry-After 5, then served
    assert backend.clock.now() - before == 5
    no_retry = Client(API_KEY, server.url, TIMEOUT)
    no_retry.app_details()  # the second in the window (now - 5, now]
    with pytest.raises(TfaApiError) as caught:
        no_retry.app_details()
    assert _api_error(caught) == (429, "60003") and caught.value.retry_after == 5
