"""What the client sends (API.md §1.3) and what it makes of the answers of §3.

No network: a scripted transport answers with the bodies API.md shows.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from tests.client.bodies import body
from tests.client.fakes import API_KEY, BASE, FakeTransport, answer, make_client
from tfa_core import results as r
from tfa_core.client import Client, Logo, Status, VerificationStatus

Call = Callable[[Client], Any]

# (name, call, method, path, query, JSON body, answer body, result type)
CASES: list[tuple[str, Call, str, str, dict[str, str], Any, str, type]] = [
    (
        "register_user",
        lambda c: c.register_user("ana@example.com", "201-555-0123", 1),
        "POST",
        "/protected/json/users/new",
        {},
        {
            "user": {
                "email": "ana@example.com",
                "cellphone": "201-555-0123",
                "country_code": 1,
            }
        },
        "register",
        r.UserRegistration,
    ),
    (
        "register_user_no_link",
        lambda c: c.register_user(
            "ana@example.com", "201-555-0123", 1, send_install_link_via_sms=False
        ),
        "POST",
        "/protected/json/users/new",
        {},
        {
            "user": {
                "email": "ana@example.com",
                "cellphone": "201-555-0123",
                "country_code": 1,
            },
            "send_install_link_via_sms": False,
        },
        "register",
        r.UserRegistration,
    ),
    (
        "update_user",
        lambda c: c.update_user(1000, "bob@example.com"),
        "POST",
        "/protected/json/users/1000/update",
        {},
        {"email": "bob@example.com"},
        "update",
        r.Ack,
    ),
    (
        "delete_user",
        lambda c: c.delete_user(1000),
        "POST",
        "/protected/json/users/1000/delete",
        {},
        {},
        "delete",
        r.Ack,
    ),
    (
        "user_status",
        lambda c: c.user_status(1000, user_ip="10.0.0.1"),
        "GET",
        "/protected/json/users/1000/status",
        {"user_ip": "10.0.0.1"},
        None,
        "status",
        r.UserStatus,
    ),
    (
        "register_activity",
        lambda c: c.register_activity(1000, "banned", data={"reason": "fraud"}),
        "POST",
        "/protected/json/users/1000/register_activity",
        {},
        {"type": "banned", "data": {"reason": "fraud"}},
        "activity",
        r.Ack,
    ),
    (
        "generic_authenticator",
        lambda c: c.generic_authenticator(1000, qr_size=200, label="Ana at Shop"),
        "POST",
        "/protected/json/users/1000/secret",
        {},
        {"qr_size": 200, "label": "Ana at Shop"},
        "secret",
        r.QrCode,
    ),
    (
        "registration_status",
        lambda c: c.registration_status("user-7"),
        "GET",
        "/protected/json/registrations/status",
        {"custom_user_id": "user-7"},
        None,
        "registration",
        r.RegistrationStatus,
    ),
    (
        "request_sms",
        lambda c: c.request_sms(1000),
        "GET",
        "/protected/json/sms/1000",
        {},
        None,
        "sms",
        r.TokenSent,
    ),
    (
        "request_sms_forced",
        lambda c: c.request_sms(
            1000, force=True, action="login", action_message="Hi there"
        ),
        "GET",
        "/protected/json/sms/1000",
        {"force": "true", "action": "login", "action_message": "Hi there"},
        None,
        "sms",
        r.TokenSent,
    ),
    (
        "request_call",
        lambda c: c.request_call(1000, force=True, locale="es"),
        "GET",
        "/protected/json/call/1000",
        {"force": "true", "locale": "es"},
        None,
        "call",
        r.TokenSent,
    ),
    (
        "request_email",
        lambda c: c.request_email(1000),
        "POST",
        "/protected/json/email/1000",
        {},
        {},
        "email",
        r.EmailSent,
    ),
    (
        "verify_token",
        lambda c: c.verify_token(1000, "0123456"),
        "GET",
        "/protected/json/verify/0123456/1000",
        {"force": "true"},
        None,
        "verify",
        r.TokenVerified,
    ),
    (
        "verify_token_unforced",
        lambda c: c.verify_token(1000, "012345", force=False, action="pay"),
        "GET",
        "/protected/json/verify/012345/1000",
        {"force": "false", "action": "pay"},
        None,
        "verify",
        r.TokenVerified,
    ),
    (
        "app_details",
        lambda c: c.app_details(),
        "GET",
        "/protected/json/app/details",
        {},
        None,
        "details",
        r.AppDetails,
    ),
    (
        "app_stats",
        lambda c: c.app_stats(),
        "GET",
        "/protected/json/app/stats",
        {},
        None,
        "stats",
        r.AppStats,
    ),
    (
        "start_phone_verification",
        lambda c: c.start_phone_verification(
            1, "201-555-0123", via="call", code_length=6, custom_message="Code {{code}}"
        ),
        "POST",
        "/protected/json/phones/verification/start",
        {},
        {
            "via": "call",
            "country_code": 1,
            "phone_number": "201-555-0123",
            "code_length": 6,
            "custom_message": "Code {{code}}",
        },
        "start",
        r.PhoneVerificationStarted,
    ),
    (
        "check_phone_verification",
        lambda c: c.check_phone_verification(1, "201-555-0123", "0042"),
        "GET",
        "/protected/json/phones/verification/check",
        {
            "country_code": "1",
            "phone_number": "201-555-0123",
            "verification_code": "0042",
        },
        None,
        "check",
        r.Ack,
    ),
    (
        "phone_verification_status_uuid",
        lambda c: c.phone_verification_status(uuid="3f0e9d4c"),
        "GET",
        "/protected/json/phones/verification/status",
        {"uuid": "3f0e9d4c"},
        None,
        "vstatus",
        r.PhoneVerificationInfo,
    ),
    (
        "phone_verification_status_number",
        lambda c: c.phone_verification_status(
            country_code=44, phone_number="7700 900123"
        ),
        "GET",
        "/protected/json/phones/verification/status",
        {"country_code": "44", "phone_number": "7700 900123"},
        None,
        "vstatus",
        r.PhoneVerificationInfo,
    ),
    (
        "phone_info",
        lambda c: c.phone_info(351, "912 345 678"),
        "GET",
        "/protected/json/phones/info",
        {"country_code": "351", "phone_number": "912 345 678"},
        None,
        "info",
        r.PhoneInfo,
    ),
    (
        "create_approval_request",
        lambda c: c.create_approval_request(
            1000,
            "Requesting War Room Access",
            details={"Location": "California, USA", "Room": "VR Room 1"},
            hidden_details={"test": "This is a"},
            logos=[
                Logo(res="default", url="https://e.com/l.png"),
                {"res": "low", "url": "u"},
            ],
            seconds_to_expire=300,
        ),
        "POST",
        "/onetouch/json/users/1000/approval_requests",
        {},
        {
            "message": "Requesting War Room Access",
            "details": {"Location": "California, USA", "Room": "VR Room 1"},
            "hidden_details": {"test": "This is a"},
            "logos": [
                {"res": "default", "url": "https://e.com/l.png"},
                {"res": "low", "url": "u"},
            ],
            "seconds_to_expire": 300,
        },
        "create",
        r.ApprovalRequestCreated,
    ),
    (
        "get_approval_request",
        lambda c: c.get_approval_request("c1a5e0d2-7b34-4f0e-a2c9-3d8e1f6b9a04"),
        "GET",
        "/onetouch/json/approval_requests/c1a5e0d2-7b34-4f0e-a2c9-3d8e1f6b9a04",
        {},
        None,
        "approval",
        r.ApprovalRequestInfo,
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "sent", "reply", "kind"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_method_sends_the_documented_request_and_types_the_answer(
    call: Call,
    method: str,
    path: str,
    query: dict[str, str],
    sent: Any,
    reply: str,
    kind: type[Any],
) -> None:
    transport = FakeTransport(answer(body(reply)))
    result = call(make_client(transport))
    request = transport.last
    url = urllib.parse.urlsplit(request.url)
    assert request.method == method
    assert f"{url.scheme}://{url.netloc}" == BASE
    assert url.path == path
    assert dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)) == query
    assert request.headers["X-TFA-API-Key"] == API_KEY
    assert "api_key" not in request.url
    if method == "POST":
        assert request.headers["Content-Type"] == "application/json"
        assert request.body is not None
        # Compact JSON (API.md §1.3): no space after ":" or ",".
        assert request.body == json.dumps(sent, separators=(",", ":")).encode()
    else:
        assert request.body is None
        assert "Content-Type" not in request.headers
    assert isinstance(result, kind)
    assert result.raw == body(reply)
    with pytest.raises(FrozenInstanceError):
        result.raw = {}


def test_every_endpoint_method_has_a_case() -> None:
    helpers = {"wait_for_approval", "verify_callback"}
    public = {name for name in vars(Client) if not name.startswith("_")} - helpers
    covered = {case[0] for case in CASES}
    missing = {m for m in public if not any(c.startswith(m) for c in covered)}
    assert not missing
    assert len(public) == 19  # one per row of the table of API.md §3


def test_path_segments_are_percent_encoded() -> None:
    transport = FakeTransport(answer(body("approval_not_found"), 404))
    with pytest.raises(Exception):  # noqa: B017 - only the URL matters here
        make_client(transport).get_approval_request("a/b c?d#%")
    assert (
        transport.last.url
        == f"{BASE}/onetouch/json/approval_requests/a%2Fb%20c%3Fd%23%25"
    )


def test_base_url_may_have_a_path_and_a_trailing_slash() -> None:
    transport = FakeTransport(answer(body("details")))
    client = Client(API_KEY, "http://127.0.0.1:8600/tfa/", transport=transport)
    client.app_details()
    assert transport.last.url == "http://127.0.0.1:8600/tfa/protected/json/app/details"


def test_query_values_are_form_encoded_utf8() -> None:
    transport = FakeTransport(answer(body("sms")))
    make_client(transport).request_sms(1000, action_message="Olá & até já")
    query = urllib.parse.urlsplit(transport.last.url).query
    assert query == "action_message=Ol%C3%A1+%26+at%C3%A9+j%C3%A1"


def test_post_body_keeps_non_ascii_as_utf8() -> None:
    transport = FakeTransport(answer(body("create")))
    make_client(transport).create_approval_request(1000, "Entrar em São Paulo?")
    assert transport.last.body == '{"message":"Entrar em São Paulo?"}'.encode()


def test_the_key_never_shows_in_repr() -> None:
    assert API_KEY not in repr(make_client(FakeTransport()))


# -- results --------------------------------------------------------------------------


def test_user_status_fields() -> None:
    status = r.UserStatus.from_body(body("status"))
    assert (status.user_id, status.confirmed, status.registered) == (1000, True, True)
    assert status.phone_number == "XXX-XXX-0123"
    assert status.devices == ("android",)
    assert status.detailed_devices[0].device_id == 100000
    assert status.detailed_devices[0].creation_date == 1700000050


def test_sms_sent_and_ignored() -> None:
    sent = r.TokenSent.from_body(body("sms"))
    assert not sent.ignored and sent.device is None
    ignored = r.TokenSent.from_body(body("sms_ignored"))
    assert ignored.ignored and ignored.device == "android"
    assert ignored.cellphone == "+1-XXX-XXX-XX23"


def test_verify_device() -> None:
    verified = r.TokenVerified.from_body(body("verify"))
    assert verified.device == r.TokenDevice(
        id=100000,
        os_type="android",
        registration_date=1700000050,
        last_sync_date=1700000050,
        registration_method=None,
    )


def test_app_stats_months_oldest_first() -> None:
    stats = r.AppStats.from_body(body("stats"))
    assert len(stats.stats) == 12
    assert (stats.stats[0].month, stats.stats[0].year) == ("April", 2023)
    assert stats.stats[-1] == r.MonthStats(
        year=2024,
        month="March",
        sms_count=3,
        calls_count=1,
        users_count=2,
        auths_count=4,
        api_calls_count=15,
    )


def test_approval_request_times_are_unix_seconds() -> None:
    info = r.ApprovalRequestInfo.from_body(body("approval"))
    assert info.status is Status.PENDING and info.is_pending
    assert info.created_at == 1700000100.0  # 2023-11-14T22:15:00Z
    assert info.processed_at is None
    assert info.details == {"Account Number": "981266321"}
    assert info.logos is None and info.user_id == 1000


def test_approval_request_logos_and_decision() -> None:
    doc = body("approval")
    doc["approval_request"].update(
        status="approved",
        processed_at="2023-11-14T22:16:40Z",
        logos=[{"res": "default", "url": "https://e.com/l.png"}],
    )
    info = r.ApprovalRequestInfo.from_body(doc)
    assert info.status is Status.APPROVED and not info.is_pending
    assert info.processed_at == 1700000200.0
    assert info.logos == (Logo(res="default", url="https://e.com/l.png"),)


def test_phone_verification_status_is_an_enum() -> None:
    info = r.PhoneVerificationInfo.from_body(body("vstatus"))
    assert info.status is VerificationStatus.PENDING
    assert info.seconds_to_expire == 412
