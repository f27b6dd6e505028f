"""Tokens through HTTP: sms, call, email and verify (API.md §3.8-3.11, §5, §6), in
JSON and XML, with the inbox and the backend state they leave."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient

from tests.mock._bodies import error
from tests.mock._users import (
    FORMATS,
    KEY_HEX,
    assert_body,
    body_of,
    compact,
    get,
    install_device,
    post,
    register,
    set_key,
)
from tests.mock.conftest import API_KEY, NOW
from tfa_mock.app import create_app
from tfa_mock.backend import Backend
from tfa_mock.config import MockConfig

B32 = "AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYU"  # API.md §5.8


def device_code(at: float, digits: int = 7) -> str:
    """The device-app TOTP (10 s step) of the test secret, by pyotp."""
    return pyotp.TOTP(B32, digits=digits, interval=10).at(at)


def generic_code(at: float) -> str:
    """The generic-authenticator TOTP (6 digits, 30 s) of the test secret, by pyotp."""
    return pyotp.TOTP(B32, digits=6, interval=30).at(at)


USER_NOT_FOUND = error("60026", "User not found.")
SUSPENDED = error("60017", "User has been suspended.")
SMS_DISABLED = error("60007", "SMS is not enabled")
CALLS_DISABLED = error("60006", "Phone calls are not enabled on this account")
TOO_MANY = error("60003", "Too many requests")
NO_SUCH_USER = error("60016", "User doesn't exist")
INVALID = error("60020", "Token is invalid", token="is invalid")
REUSED = error(
    "60019", "Token is invalid. Token was used recently.", token="is invalid"
)
SMS_SENT = {
    "success": True,
    "message": "SMS token was sent",
    "cellphone": "+1-XXX-XXX-XX23",
}
CALL_STARTED = {
    "cellphone": "+1-XXX-XXX-XX23",
    "message": "Call started...",
    "success": True,
}
SMS_IGNORED = {
    "message": "Ignored: SMS is not needed for smartphones. Pass force=true if you "
    "want to actually send it anyway.",
    "cellphone": "+1-XXX-XXX-XX23",
    "device": "android",
    "ignored": True,
    "success": True,
}
CALL_IGNORED = {
    "message": "Call ignored. User is using  App Tokens and this call is not "
    "necessary. Pass force=true if you still want to call users that are using "
    "the App.",
    "cellphone": "+1-XXX-XXX-XX23",
    "device": "android",
    "ignored": True,
    "success": True,
}


def ok(
    os_type: str = "sms",
    registration_date: int = int(NOW),
    device_id: int | None = None,
    last_sync_date: int | None = None,
) -> dict[str, Any]:
    """A verify success with its 13-key device (API.md §3.11)."""
    return {
        "message": "Token is valid.",
        "token": "is valid",
        "success": "true",
        "device": {
            "id": device_id,
            "os_type": os_type,
            "registration_date": registration_date,
            "registration_method": None,
            "registration_country": None,
            "registration_region": None,
            "registration_city": None,
            "country": None,
            "region": None,
            "city": None,
            "ip": None,
            "last_account_recovery_at": None,
            "last_sync_date": last_sync_date,
        },
    }


def last_code(backend: Backend) -> str:
    code = backend.messages[-1].code
    assert code is not None
    return code


def verify(
    client: FlaskClient, uid: int | str, token: str, fmt: str = "json", **query: str
) -> Any:
    query.setdefault("force", "true")
    return get(client, fmt, f"/verify/{token}/{uid}", query_string=query)


def confirm(backend: Backend, uid: int) -> None:
    with backend.lock:
        backend.users[uid].confirmed = True


# --- sms ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_sms_is_sent(client: FlaskClient, backend: Backend, fmt: str) -> None:
    uid = register(client)
    resp = get(client, fmt, f"/sms/{uid}")
    assert_body(resp, fmt, 200, SMS_SENT)
    [message] = backend.messages
    code = message.code
    assert code is not None and re.fullmatch(r"[0-9]{7}", code)
    assert (message.channel, message.to, message.purpose, message.user_id) == (
        "sms",
        "+12015550123",
        "token",
        uid,
    )
    assert message.body == f"Your Default App verification code is: {code}"
    [sent] = backend.codes[uid]
    assert (sent.code, sent.channel, sent.action, sent.used) == (
        code,
        "sms",
        None,
        False,
    )
    assert (sent.created_at, sent.expires_at) == (NOW, NOW + 600)
    assert backend.stats[(1, 2023, 11)]["sms_count"] == 1


def test_sms_json_is_byte_exact(client: FlaskClient) -> None:
    uid = register(client)
    assert get(client, "json", f"/sms/{uid}").data == (
        b'{"success":true,"message":"SMS token was sent","cellphone":"+1-XXX-XXX-XX23"}'
    )


def test_sms_action_message_and_code_length(
    client: FlaskClient, backend: Backend
) -> None:
    with backend.lock:
        backend.apps[1].token_length = 8
    uid = register(client)
    resp = get(
        client,
        "json",
        f"/sms/{uid}",
        query_string={
            "action": "login",
            "action_message": "Login to Bank",
            "locale": "es",
            "shortcode": "true",
        },
    )
    assert resp.status_code == 200
    code = last_code(backend)
    assert len(code) == 8
    assert backend.messages[-1].body == (
        f"Your Default App verification code is: {code} (Login to Bank)"
    )
    assert backend.codes[uid][-1].action == "login"


def test_cellphone_mask_takes_the_last_two_national_digits(client: FlaskClient) -> None:
    uid = register(client, cellphone="912 345 678", country_code=351)
    resp = get(client, "json", f"/sms/{uid}")
    assert resp.json["cellphone"] == "+351-XXX-XXX-XX78"  # type: ignore[index]


@pytest.mark.parametrize("fmt", FORMATS)
def test_sms_ignored_for_a_device_user(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    uid = register(client)
    install_device(backend, uid)
    assert_body(get(client, fmt, f"/sms/{uid}"), fmt, 200, SMS_IGNORED)
    assert backend.messages == []
    assert uid not in backend.codes


def test_sms_ignored_json_is_byte_exact(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    install_device(backend, uid)
    assert get(client, "json", f"/sms/{uid}").data == (
        b'{"message":"Ignored: SMS is not needed for smartphones. Pass force=true if '
        b'you want to actually send it anyway.","cellphone":"+1-XXX-XXX-XX23",'
        b'"device":"android","ignored":true,"success":true}'
    )


@pytest.mark.parametrize("force", ["true", "True", "1"])
def test_sms_force_sends_to_a_device_user(
    client: FlaskClient, backend: Backend, force: str
) -> None:
    uid = register(client)
    install_device(backend, uid)
    resp = get(client, "json", f"/sms/{uid}", query_string={"force": force})
    assert resp.data == compact(SMS_SENT)
    assert len(backend.messages) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_sms_error_order(client: FlaskClient, backend: Backend, fmt: str) -> None:
    assert_body(get(client, fmt, "/sms/tony"), fmt, 404, USER_NOT_FOUND)
    assert_body(get(client, fmt, "/sms/1000"), fmt, 404, USER_NOT_FOUND)
    uid = register(client)
    install_device(backend, uid)
    with backend.lock:
        backend.users[uid].suspended = True
        backend.apps[1].sms_enabled = False
    assert_body(get(client, fmt, f"/sms/{uid}"), fmt, 503, SUSPENDED)
    with backend.lock:
        backend.users[uid].suspended = False
    # SMS disabled comes before the ignored answer.
    assert_body(get(client, fmt, f"/sms/{uid}"), fmt, 503, SMS_DISABLED)
    assert backend.messages == []


def test_sends_limit_retry_after_and_sliding(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    for i in range(5):
        backend.clock.advance(10)
        assert get(client, "json", f"/sms/{uid}").status_code == 200, i
    resp = get(client, "json", f"/sms/{uid}")
    assert resp.status_code == 429
    assert resp.data == compact(TOO_MANY)
    assert resp.headers["Retry-After"] == "560"  # first send at NOW+10, now NOW+50
    assert len(backend.messages) == 5
    backend.clock.advance(559)
    assert get(client, "json", f"/sms/{uid}").headers["Retry-After"] == "1"
    backend.clock.advance(1)  # the first send leaves the window
    assert get(client, "json", f"/sms/{uid}").status_code == 200
    assert get(client, "json", f"/sms/{uid}").status_code == 429


@pytest.mark.parametrize("fmt", FORMATS)
def test_sends_limit_is_shared_by_sms_call_and_email(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    uid = register(client)
    other = register(client, cellphone="201-555-0124")
    for send in ("sms", "call", "sms", "call"):
        assert get(client, fmt, f"/{send}/{uid}").status_code == 200
    assert post(client, fmt, f"/email/{uid}").status_code == 200
    for resp in (
        get(client, fmt, f"/sms/{uid}"),
        get(client, fmt, f"/call/{uid}"),
        post(client, fmt, f"/email/{uid}"),
    ):
        assert_body(resp, fmt, 429, TOO_MANY)
        assert resp.headers["Retry-After"] == "600"
    # Per user: another user still gets codes.
    assert get(client, fmt, f"/sms/{other}").status_code == 200


def test_ignored_comes_before_the_limit_and_counts_nothing(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    install_device(backend, uid)
    for _ in range(7):
        assert get(client, "json", f"/sms/{uid}").json["ignored"] is True  # type: ignore[index]
    for _ in range(5):
        resp = get(client, "json", f"/call/{uid}", query_string={"force": "true"})
        assert resp.status_code == 200
    assert get(client, "json", f"/sms/{uid}").json["ignored"] is True  # type: ignore[index]
    assert get(client, "json", f"/sms/{uid}?force=1").status_code == 429


def test_a_dropped_message_still_makes_a_valid_code(
    client: FlaskClient, backend: Backend
) -> None:
    from tfa_mock.backend.records import Fault

    uid = register(client)
    with backend.lock:
        backend.faults.append(Fault(id=1, endpoint="sms", drop_message=True))
    assert get(client, "json", f"/sms/{uid}").data == compact(SMS_SENT)
    assert backend.messages == []
    [sent] = backend.codes[uid]
    assert backend.stats[(1, 2023, 11)]["sms_count"] == 1
    assert verify(client, uid, sent.code).status_code == 200


# --- call --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_call_is_started(client: FlaskClient, backend: Backend, fmt: str) -> None:
    uid = register(client)
    resp = get(client, fmt, f"/call/{uid}", query_string={"action_message": "Pay"})
    assert_body(resp, fmt, 200, CALL_STARTED)
    [message] = backend.messages
    code = message.code
    assert code is not None and re.fullmatch(r"[0-9]{7}", code)
    assert (message.channel, message.to, message.purpose) == (
        "voice",
        "+12015550123",
        "token",
    )
    assert message.body == f"Your Default App verification code is: {code} (Pay)"
    assert backend.codes[uid][0].channel == "voice"
    assert backend.stats[(1, 2023, 11)]["calls_count"] == 1
    assert backend.stats[(1, 2023, 11)]["sms_count"] == 0


def test_call_json_bodies_are_byte_exact(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    assert get(client, "json", f"/call/{uid}").data == (
        b'{"cellphone":"+1-XXX-XXX-XX23","message":"Call started...","success":true}'
    )
    install_device(backend, uid)
    assert get(client, "json", f"/call/{uid}").data == (
        b'{"message":"Call ignored. User is using  App Tokens and this call is not '
        b"necessary. Pass force=true if you still want to call users that are using "
        b'the App.","cellphone":"+1-XXX-XXX-XX23","device":"android","ignored":true,'
        b'"success":true}'
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_call_error_order(client: FlaskClient, backend: Backend, fmt: str) -> None:
    assert_body(get(client, fmt, "/call/tony"), fmt, 404, USER_NOT_FOUND)
    uid = register(client)
    install_device(backend, uid)
    with backend.lock:
        backend.users[uid].suspended = True
        backend.apps[1].phone_calls_enabled = False
    assert_body(get(client, fmt, f"/call/{uid}"), fmt, 503, SUSPENDED)
    with backend.lock:
        backend.users[uid].suspended = False
    assert_body(get(client, fmt, f"/call/{uid}"), fmt, 503, CALLS_DISABLED)
    with backend.lock:
        backend.apps[1].phone_calls_enabled = True
    assert_body(get(client, fmt, f"/call/{uid}"), fmt, 200, CALL_IGNORED)
    # SMS disabled does not stop calls.
    with backend.lock:
        backend.apps[1].sms_enabled = False
    assert get(client, fmt, f"/call/{uid}?force=true").status_code == 200


# --- email -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_email_is_sent(client: FlaskClient, backend: Backend, fmt: str) -> None:
    uid = register(client)
    install_device(backend, uid)  # never ignored
    resp = post(client, fmt, f"/email/{uid}")
    body = body_of(resp, fmt)
    email_id = body["email_id"]
    assert re.fullmatch(r"EM[0-9a-f]{32}", email_id)
    assert_body(
        resp,
        fmt,
        200,
        {
            "success": True,
            "message": "Email token was sent",
            "email": "ana@example.com",
            "email_id": email_id,
        },
    )
    [message] = backend.messages
    assert (message.channel, message.to, message.purpose) == (
        "email",
        "ana@example.com",
        "token",
    )
    assert message.body == f"Your Default App verification code is: {message.code}"
    assert backend.stats[(1, 2023, 11)]["sms_count"] == 0


def test_email_id_is_repeatable_with_the_seed() -> None:
    def run() -> tuple[bytes, list[str | None]]:
        backend = Backend(seed=7, api_key=API_KEY)
        backend.clock.freeze()
        backend.clock.set(NOW)
        app = create_app(MockConfig(seed=7, api_key=API_KEY), backend=backend)
        with app.test_client() as client:
            uid = register(client)
            get(client, "json", f"/sms/{uid}")
            body = post(client, "json", f"/email/{uid}").data
        return body, [m.code for m in backend.messages]

    assert run() == run()


@pytest.mark.parametrize("fmt", FORMATS)
def test_email_error_order(client: FlaskClient, backend: Backend, fmt: str) -> None:
    assert_body(post(client, fmt, "/email/tony"), fmt, 404, USER_NOT_FOUND)
    uid = register(client)
    with backend.lock:
        backend.users[uid].suspended = True
    assert_body(post(client, fmt, f"/email/{uid}"), fmt, 503, SUSPENDED)
    assert get(client, fmt, f"/email/{uid}").status_code == 404  # POST only


# --- verify: codes -----------------------------------------------------------------


def test_verify_sms_code_json_is_byte_exact(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    get(client, "json", f"/sms/{uid}")
    resp = verify(client, uid, last_code(backend))
    assert resp.status_code == 200
    assert resp.data == (
        b'{"message":"Token is valid.","token":"is valid","success":"true",'
        b'"device":{"id":null,"os_type":"sms","registration_date":1700000000,'
        b'"registration_method":null,"registration_country":null,'
        b'"registration_region":null,"registration_city":null,"country":null,'
        b'"region":null,"city":null,"ip":null,"last_account_recovery_at":null,'
        b'"last_sync_date":null}}'
    )
    assert backend.users[uid].confirmed
    assert backend.codes[uid][0].used


def test_verify_xml_is_exact_text(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    post(client, "json", f"/email/{uid}")
    resp = verify(client, uid, last_code(backend), fmt="xml")
    assert resp.status_code == 200
    assert resp.data.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<hash>\n"
        "  <message>Token is valid.</message>\n"
        "  <token>is valid</token>\n"
        "  <success>true</success>\n"
        "  <device>\n"
        '    <id nil="true"/>\n'
        "    <os-type>sms</os-type>\n"
        '    <registration-date type="integer">1700000000</registration-date>\n'
        '    <registration-method nil="true"/>\n'
        '    <registration-country nil="true"/>\n'
        '    <registration-region nil="true"/>\n'
        '    <registration-city nil="true"/>\n'
        '    <country nil="true"/>\n'
        '    <region nil="true"/>\n'
        '    <city nil="true"/>\n'
        '    <ip nil="true"/>\n'
        '    <last-account-recovery-at nil="true"/>\n'
        '    <last-sync-date nil="true"/>\n'
        "  </device>\n"
        "</hash>\n"
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("send", ["sms", "call", "email"])
def test_verify_code_then_reuse_then_wrong(
    client: FlaskClient, backend: Backend, fmt: str, send: str
) -> None:
    uid = register(client)
    if send == "email":
        post(client, fmt, f"/email/{uid}")
    else:
        get(client, fmt, f"/{send}/{uid}")
    code = last_code(backend)
    assert_body(verify(client, uid, code, fmt), fmt, 200, ok())
    assert_body(verify(client, uid, code, fmt), fmt, 401, REUSED)
    wrong = f"{(int(code) + 1) % 10**7:07d}"
    assert_body(verify(client, uid, wrong, fmt), fmt, 401, INVALID)


def test_token_failure_xml_has_the_token_line(client: FlaskClient) -> None:
    uid = register(client)
    resp = verify(client, uid, "0000000", fmt="xml")
    assert resp.status_code == 401
    assert resp.data.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<errors>\n"
        "  <message>Token is invalid</message>\n"
        "  <token>is invalid</token>\n"
        '  <success type="boolean">false</success>\n'
        "  <errors>\n"
        "    <message>Token is invalid</message>\n"
        "  </errors>\n"
        "  <error-code>60020</error-code>\n"
        "</errors>\n"
    )


def test_reuse_json_is_byte_exact(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    get(client, "json", f"/sms/{uid}")
    code = last_code(backend)
    verify(client, uid, code)
    assert verify(client, uid, code).data == (
        b'{"message":"Token is invalid. Token was used recently.","token":"is invalid",'
        b'"success":false,"errors":{"message":"Token is invalid. Token was used '
        b'recently."},"error_code":"60019"}'
    )


def test_older_unexpired_codes_stay_valid(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    get(client, "json", f"/sms/{uid}")
    first = last_code(backend)
    backend.clock.advance(100)
    get(client, "json", f"/sms/{uid}")
    second = last_code(backend)
    assert verify(client, uid, first).status_code == 200
    assert verify(client, uid, second).status_code == 200


def test_codes_expire_after_the_ttl(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    get(client, "json", f"/sms/{uid}")
    code = last_code(backend)
    backend.clock.advance(599)
    get(client, "json", f"/sms/{uid}")
    late = last_code(backend)
    backend.clock.advance(1)  # the first code is 600 s old: expired
    assert verify(client, uid, code).data == compact(INVALID)
    assert verify(client, uid, late).status_code == 200
    backend.clock.advance(600)
    # A used code after its expiry is just invalid, not "used recently".
    assert verify(client, uid, late).data == compact(INVALID)


def test_the_ttl_is_the_apps_setting(client: FlaskClient, backend: Backend) -> None:
    with backend.lock:
        backend.apps[1].sms_token_ttl = 30
    uid = register(client)
    get(client, "json", f"/sms/{uid}")
    backend.clock.advance(30)
    assert verify(client, uid, last_code(backend)).data == compact(INVALID)


@pytest.mark.parametrize(
    ("sent_with", "verified_with", "status"),
    [
        ("login", "login", 200),
        ("login", None, 401),
        ("login", "pay", 401),
        (None, "login", 401),
        (None, None, 200),
        (None, " ", 200),  # blank is no action
    ],
)
def test_codes_are_bound_to_the_action(
    client: FlaskClient,
    backend: Backend,
    sent_with: str | None,
    verified_with: str | None,
    status: int,
) -> None:
    uid = register(client)
    get(client, "json", f"/sms/{uid}", query_string={"action": sent_with or ""})
    query = {"action": verified_with} if verified_with is not None else {}
    resp = verify(client, uid, last_code(backend), **query)
    assert resp.status_code == status
    if status == 401:
        assert resp.data == compact(INVALID)
        assert not backend.codes[uid][0].used


# --- verify: the unconfirmed-user rule (API.md §3.11 step 5, §5.6-5.7) -------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("token", ["000000", "123456789012", "9999999"])
def test_unconfirmed_user_passes_without_force(
    client: FlaskClient, backend: Backend, fmt: str, token: str
) -> None:
    uid = register(client)
    resp = verify(client, uid, token, fmt, force="false")
    assert_body(resp, fmt, 200, ok())
    assert not backend.users[uid].confirmed  # nothing really matched
    resp = get(client, fmt, f"/verify/{token}/{uid}")  # force absent
    assert_body(resp, fmt, 200, ok())


def test_unconfirmed_pass_with_a_real_code_consumes_and_confirms(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    get(client, "json", f"/sms/{uid}")
    code = last_code(backend)
    assert verify(client, uid, code, force="false").data == compact(ok())
    assert backend.users[uid].confirmed
    assert backend.codes[uid][0].used
    # Confirmed now: tokens are checked even without force.
    assert verify(client, uid, code, force="false").data == compact(REUSED)
    assert verify(client, uid, "1234567", force="false").data == compact(INVALID)


def test_unconfirmed_user_with_force_is_checked(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    assert verify(client, uid, "1234567").data == compact(INVALID)
    assert not backend.users[uid].confirmed


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "token",
    ["12345", "1234567890123", "12345a", "\uff11\uff12\uff13\uff14\uff15\uff16"],
)
def test_malformed_tokens_fail_even_unconfirmed(
    client: FlaskClient, fmt: str, token: str
) -> None:
    uid = register(client)
    resp = verify(client, uid, token, fmt, force="false")
    assert_body(resp, fmt, 401, INVALID)


# --- verify: TOTPs -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_device_totp(client: FlaskClient, backend: Backend, fmt: str) -> None:
    uid = register(client)
    set_key(backend, uid)
    install_device(backend, uid, at=NOW - 50)
    assert device_code(NOW) == "6068610"  # API.md §5.8
    expected = ok("android", int(NOW - 50), 100000, int(NOW - 50))
    assert_body(verify(client, uid, "6068610", fmt), fmt, 200, expected)
    assert backend.users[uid].confirmed
    assert backend.users[uid].last_device_step == int(NOW) // 10
    # Replay of the accepted step.
    assert_body(verify(client, uid, "6068610", fmt), fmt, 401, REUSED)


def test_device_totp_json_matches_the_spec_example(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    set_key(backend, uid)
    install_device(backend, uid, at=NOW + 50)
    backend.clock.set(NOW + 60)
    resp = verify(client, uid, device_code(NOW + 60))
    assert resp.data == (
        b'{"message":"Token is valid.","token":"is valid","success":"true",'
        b'"device":{"id":100000,"os_type":"android","registration_date":1700000050,'
        b'"registration_method":null,"registration_country":null,'
        b'"registration_region":null,"registration_city":null,"country":null,'
        b'"region":null,"city":null,"ip":null,"last_account_recovery_at":null,'
        b'"last_sync_date":1700000050}}'
    )


def test_device_totp_window_is_three_steps(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    set_key(backend, uid)
    install_device(backend, uid)
    assert verify(client, uid, device_code(NOW - 40)).data == compact(INVALID)
    assert verify(client, uid, device_code(NOW + 40)).data == compact(INVALID)
    assert verify(client, uid, device_code(NOW - 30)).status_code == 200
    assert verify(client, uid, device_code(NOW + 30)).status_code == 200
    # Steps at or before the last accepted one are refused as used.
    assert verify(client, uid, device_code(NOW)).data == compact(REUSED)
    backend.clock.advance(40)
    assert verify(client, uid, device_code(NOW + 40)).status_code == 200


def test_device_totp_follows_token_length(
    client: FlaskClient, backend: Backend
) -> None:
    with backend.lock:
        backend.apps[1].token_length = 8
    uid = register(client)
    set_key(backend, uid)
    install_device(backend, uid)
    assert verify(client, uid, "6068610").data == compact(INVALID)
    assert verify(client, uid, "36068610").status_code == 200  # API.md §5.8


def test_device_totp_needs_a_device(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    set_key(backend, uid)
    assert verify(client, uid, "6068610").data == compact(INVALID)


def test_totp_ignores_the_action(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    set_key(backend, uid)
    install_device(backend, uid)
    assert verify(client, uid, "6068610", action="login").status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_generic_totp_after_enrollment(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    uid = register(client)
    set_key(backend, uid)
    assert generic_code(NOW) == "957349"  # API.md §5.8
    assert_body(verify(client, uid, "957349", fmt), fmt, 401, INVALID)
    assert post(client, fmt, f"/users/{uid}/secret").status_code == 200
    assert backend.users[uid].generic_enrolled
    backend.clock.advance(25)  # the next 30 s step: inside the ±1 window
    assert_body(verify(client, uid, "957349", fmt), fmt, 200, ok("generic"))
    assert_body(verify(client, uid, "957349", fmt), fmt, 401, REUSED)
    assert backend.users[uid].last_generic_step == int(NOW) // 30


def test_generic_totp_window_is_one_step(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    set_key(backend, uid)
    post(client, "json", f"/users/{uid}/secret")
    assert verify(client, uid, generic_code(NOW - 60)).data == compact(INVALID)
    assert verify(client, uid, generic_code(NOW + 60)).data == compact(INVALID)
    assert verify(client, uid, generic_code(NOW - 30)).status_code == 200
    assert verify(client, uid, generic_code(NOW + 30)).status_code == 200


def test_generic_and_device_have_their_own_replay_records(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    set_key(backend, uid)
    install_device(backend, uid)
    post(client, "json", f"/users/{uid}/secret")
    assert verify(client, uid, "6068610").json["device"]["os_type"] == "android"
    assert verify(client, uid, "957349").json["device"]["os_type"] == "generic"


# --- verify: order of checks and the failure limit ---------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("uid", ["tony", "1000", "99999"])
def test_verify_unknown_user_is_60016(client: FlaskClient, fmt: str, uid: str) -> None:
    resp = get(client, fmt, f"/verify/1234567/{uid}")
    assert_body(resp, fmt, 404, NO_SUCH_USER)
    if fmt == "json":
        assert resp.data == (
            b'{"message":"User doesn\'t exist","success":false,"errors":'
            b'{"message":"User doesn\'t exist"},"error_code":"60016"}'
        )


def test_verify_another_apps_user_is_60016(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    with backend.lock:
        backend._add_app(name="Other", api_key="other_key_0123456789abcdefghijkl")
    resp = get(
        client,
        "json",
        f"/verify/1234567/{uid}",
        headers={"X-TFA-API-Key": "other_key_0123456789abcdefghijkl"},
    )
    assert resp.data == compact(NO_SUCH_USER)


def test_suspended_comes_before_the_limit(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    for _ in range(10):
        verify(client, uid, "0000000")
    with backend.lock:
        backend.users[uid].suspended = True
    assert verify(client, uid, "0000000").data == compact(SUSPENDED)


@pytest.mark.parametrize("fmt", FORMATS)
def test_verify_failures_limit(client: FlaskClient, backend: Backend, fmt: str) -> None:
    uid = register(client)
    get(client, "json", f"/sms/{uid}")
    code = last_code(backend)
    assert verify(client, uid, code).status_code == 200
    assert verify(client, uid, code).data == compact(REUSED)  # failure 1 (60019)
    assert verify(client, uid, "12").data == compact(INVALID)  # failure 2 (step 4)
    for _ in range(8):
        backend.clock.advance(1)
        assert verify(client, uid, "0000000").status_code == 401
    resp = verify(client, uid, "0000000", fmt)  # the 11th after 10 failures
    assert_body(resp, fmt, 429, TOO_MANY)
    assert resp.headers["Retry-After"] == "592"
    # Refused requests are no events; the check comes before the token's (step 3).
    assert verify(client, uid, "12").status_code == 429
    backend.clock.advance(591)
    assert verify(client, uid, "0000000").headers["Retry-After"] == "1"
    backend.clock.advance(1)  # the first two failures leave the window
    assert verify(client, uid, "0000000").status_code == 401
    assert verify(client, uid, "0000000").status_code == 401
    assert verify(client, uid, "0000000").status_code == 429


def test_failures_are_per_user(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    other = register(client, cellphone="201-555-0124")
    for _ in range(10):
        verify(client, uid, "0000000")
    assert verify(client, uid, "0000000").status_code == 429
    assert verify(client, other, "0000000").status_code == 401


def test_successes_count_in_auths_and_failures_do_not(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    verify(client, uid, "0000000", force="false")  # unconfirmed pass: 200
    verify(client, uid, "0000000")  # 401
    get(client, "json", f"/sms/{uid}")
    verify(client, uid, last_code(backend))  # 200
    assert backend.stats[(1, 2023, 11)]["auths_count"] == 2


def test_token_is_taken_from_the_path(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    set_key(backend, uid)
    install_device(backend, uid)
    resp = get(
        client,
        "json",
        "/verify/6068610/" + str(uid),
        query_string={"force": "true", "token": "0000000", "id": "1"},
    )
    assert resp.status_code == 200


def test_key_hex_is_the_spec_secret() -> None:
    import base64

    assert base64.b32encode(bytes.fromhex(KEY_HEX)).decode() == B32
