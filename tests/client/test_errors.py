"""Error answers, malformed answers and checks before sending (no network)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import pytest

from tests.client.bodies import body
from tests.client.fakes import API_KEY, FakeTransport, answer, make_client
from tfa_core.client import Client, TfaApiError, TfaProtocolError, TfaTransportError
from tfa_core.errors import InvalidParameter, TfaError

# -- error answers -> TfaApiError -----------------------------------------------------


def test_token_invalid_is_an_api_error_with_code_and_message() -> None:
    transport = FakeTransport(answer(body("token_invalid"), 401))
    with pytest.raises(TfaApiError) as caught:
        make_client(transport).verify_token(1000, "1234567")
    error = caught.value
    assert (error.status, error.error_code) == (401, "60020")
    assert error.message == "Token is invalid"
    assert error.token_invalid
    assert error.body == body("token_invalid")
    assert str(error) == "401 60020: Token is invalid"


def test_field_errors_of_60027() -> None:
    transport = FakeTransport(answer(body("user_not_valid"), 400))
    with pytest.raises(TfaApiError) as caught:
        make_client(transport).register_user("ana@example.com", "12", 1)
    assert caught.value.error_code == "60027"
    assert caught.value.field_errors == {
        "email": "is invalid",
        "cellphone": "is invalid",
    }
    assert not caught.value.token_invalid


def test_429_carries_retry_after() -> None:
    transport = FakeTransport(answer(body("too_many"), 429, {"Retry-After": "42"}))
    with pytest.raises(TfaApiError) as caught:
        make_client(transport).request_sms(1000)
    assert (caught.value.status, caught.value.retry_after) == (429, 42)
    assert len(transport.requests) == 1  # retries are off by default


def test_60049_with_empty_errors() -> None:
    transport = FakeTransport(answer(body("approval_not_found"), 404))
    with pytest.raises(TfaApiError) as caught:
        make_client(transport).get_approval_request(
            "3f05a350-4b2c-0136-f779-12c0c2bf9eaa"
        )
    assert caught.value.error_code == "60049"
    assert caught.value.field_errors == {}


@pytest.mark.parametrize(
    ("status", "raw"),
    [(502, "<html>Bad Gateway</html>"), (500, ""), (503, "[1,2]"), (301, "")],
)
def test_error_status_without_envelope_is_still_an_api_error(
    status: int, raw: str
) -> None:
    transport = FakeTransport(answer(raw, status))
    with pytest.raises(TfaApiError) as caught:
        make_client(transport).app_details()
    assert caught.value.status == status
    assert caught.value.error_code is None


def test_errors_survive_pickling() -> None:
    errors = [
        TfaApiError(
            status=429,
            error_code="60003",
            message="Too many requests",
            field_errors={"email": "is invalid"},
            retry_after=7,
            body={"success": False},
        ),
        TfaTransportError("GET http://x/: timed out after 5s", timed_out=True),
        TfaProtocolError("GET /: not JSON", status=200),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert type(copy) is type(error) and str(copy) == str(error)
        assert vars(copy) == vars(error)


def test_errors_share_the_core_root() -> None:
    for kind in (TfaApiError, TfaProtocolError, TfaTransportError):
        assert issubclass(kind, TfaError)
    assert issubclass(TfaTransportError, OSError)
    assert not issubclass(TfaProtocolError, ValueError)  # not a caller's mistake


# -- malformed success answers -> TfaProtocolError -----------------------------------


def _without(name: str, *path: str) -> dict[str, Any]:
    doc = body(name)
    target = doc
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return doc


def _with(name: str, value: Any, *path: str) -> dict[str, Any]:
    doc = body(name)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def _doc(value: Any, key: str) -> dict[str, Any]:
    return _with("approval", value, "approval_request", key)


MALFORMED: list[tuple[str, Callable[[Any], Any], Any]] = [
    ("not json", lambda c: c.app_details(), "<html>ok</html>"),
    ("json array", lambda c: c.app_details(), "[]"),
    ("not utf-8", lambda c: c.app_details(), b"\xff\xfe"),
    ("no success", lambda c: c.app_details(), _without("details", "success")),
    ("success false", lambda c: c.app_details(), _with("details", False, "success")),
    ("success string", lambda c: c.app_details(), _with("details", "true", "success")),
    ("no app", lambda c: c.app_details(), _without("details", "app")),
    ("id as string", lambda c: c.app_details(), _with("details", "1", "app", "app_id")),
    (
        "flag as int",
        lambda c: c.app_details(),
        _with("details", 1, "app", "sms_enabled"),
    ),
    (
        "bool as id",
        lambda c: c.register_user("a@b.co", "1", 1),
        _with("register", True, "user", "id"),
    ),
    (
        "verify success true",
        lambda c: c.verify_token(1, "123456"),
        _with("verify", True, "success"),
    ),
    (
        "verify token",
        lambda c: c.verify_token(1, "123456"),
        _with("verify", "is invalid", "token"),
    ),
    ("status unknown", lambda c: c.get_approval_request("u"), _doc("maybe", "status")),
    (
        "bad time",
        lambda c: c.get_approval_request("u"),
        _doc("yesterday", "created_at"),
    ),
    (
        "detail not str",
        lambda c: c.get_approval_request("u"),
        _doc({"a": 1}, "details"),
    ),
    (
        "logos not list",
        lambda c: c.get_approval_request("u"),
        _doc({"res": "low"}, "logos"),
    ),
    ("stats missing", lambda c: c.app_stats(), _without("stats", "stats")),
    (
        "devices missing",
        lambda c: c.user_status(1),
        _without("status", "status", "devices"),
    ),
    ("stats item", lambda c: c.app_stats(), _with("stats", [1], "stats")),
    ("stats count", lambda c: c.app_stats(), _with("stats", [{"year": 2024}], "stats")),
    ("devices", lambda c: c.user_status(1), _with("status", [1], "status", "devices")),
    (
        "ignored not bool",
        lambda c: c.request_sms(1),
        _with("sms_ignored", "yes", "ignored"),
    ),
    (
        "verification state",
        lambda c: c.phone_verification_status(uuid="u"),
        _with("vstatus", "done", "status"),
    ),
]


@pytest.mark.parametrize(
    ("call", "reply"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_a_malformed_success_raises_protocol_error(
    call: Callable[[Client], Any], reply: Any
) -> None:
    transport = FakeTransport(answer(reply, 200))
    with pytest.raises(TfaProtocolError) as caught:
        call(make_client(transport))
    assert caught.value.status == 200


# -- checks before sending -> InvalidParameter (a ValueError) ------------------------

INVALID: list[tuple[str, Callable[[Any], Any], str]] = [
    ("token short", lambda c: c.verify_token(1000, "12345"), "token"),
    ("token long", lambda c: c.verify_token(1000, "1" * 13), "token"),
    ("token letters", lambda c: c.verify_token(1000, "12345a"), "token"),
    ("token unicode digits", lambda c: c.verify_token(1000, "١٢٣٤٥٦"), "token"),
    ("token int", lambda c: c.verify_token(1000, 123456), "token"),
    ("force str", lambda c: c.verify_token(1000, "123456", force="yes"), "force"),
    ("user id str", lambda c: c.user_status("1000"), "user_id"),
    ("user id bool", lambda c: c.user_status(True), "user_id"),
    ("user id negative", lambda c: c.request_sms(-1), "user_id"),
    ("message blank", lambda c: c.create_approval_request(1, "   "), "message"),
    ("message long", lambda c: c.create_approval_request(1, "x" * 201), "message"),
    (
        "ttl negative",
        lambda c: c.create_approval_request(1, "m", seconds_to_expire=-1),
        "seconds_to_expire",
    ),
    (
        "ttl float",
        lambda c: c.create_approval_request(1, "m", seconds_to_expire=1.5),
        "seconds_to_expire",
    ),
    (
        "logo res",
        lambda c: c.create_approval_request(
            1, "m", logos=[{"res": "huge", "url": "u"}]
        ),
        "logos",
    ),
    (
        "logo url",
        lambda c: c.create_approval_request(1, "m", logos=[{"res": "low", "url": ""}]),
        "logos",
    ),
    ("logos str", lambda c: c.create_approval_request(1, "m", logos="low"), "logos"),
    (
        "details 51",
        lambda c: c.create_approval_request(
            1, "m", details={str(i): "v" for i in range(51)}
        ),
        "details",
    ),
    (
        "details int",
        lambda c: c.create_approval_request(1, "m", details={"a": 1}),
        "details",
    ),
    (
        "hidden nested",
        lambda c: c.create_approval_request(1, "m", hidden_details={"a": {}}),
        "hidden_details",
    ),
    (
        "code_length 3",
        lambda c: c.start_phone_verification(1, "2015550123", code_length=3),
        "code_length",
    ),
    (
        "code_length 11",
        lambda c: c.start_phone_verification(1, "2015550123", code_length=11),
        "code_length",
    ),
    ("via", lambda c: c.start_phone_verification(1, "2015550123", via="email"), "via"),
    (
        "custom_code",
        lambda c: c.start_phone_verification(1, "2015550123", custom_code="12a4"),
        "custom_code",
    ),
    ("country_code", lambda c: c.phone_info(0, "2015550123"), "country_code"),
    ("phone blank", lambda c: c.phone_info(1, " "), "phone_number"),
    (
        "verification_code",
        lambda c: c.check_phone_verification(1, "2015550123", "12"),
        "verification_code",
    ),
    (
        "status both",
        lambda c: c.phone_verification_status(
            uuid="u", country_code=1, phone_number="2"
        ),
        "uuid",
    ),
    ("status none", lambda c: c.phone_verification_status(), "uuid"),
    ("email", lambda c: c.register_user("not-an-email", "2015550123", 1), "email"),
    ("update email", lambda c: c.update_user(1000, "a@b"), "email"),
    ("activity", lambda c: c.register_activity(1000, "deleted"), "activity"),
    (
        "activity data",
        lambda c: c.register_activity(1000, "banned", data={"k": {1}}),
        "data",
    ),
    ("lone surrogate post", lambda c: c.create_approval_request(1, "\ud800"), "params"),
    ("lone surrogate get", lambda c: c.request_sms(1, action="\udfff"), "params"),
    ("qr_size", lambda c: c.generic_authenticator(1000, qr_size=49), "qr_size"),
    ("uuid blank", lambda c: c.get_approval_request(""), "uuid"),
    ("wait interval", lambda c: c.wait_for_approval("u", interval=0), "interval"),
    ("wait timeout", lambda c: c.wait_for_approval("u", timeout=-1), "timeout"),
]


@pytest.mark.parametrize(
    ("call", "name"), [i[1:] for i in INVALID], ids=[i[0] for i in INVALID]
)
def test_invalid_arguments_raise_before_sending(
    call: Callable[[Client], Any], name: str
) -> None:
    transport = FakeTransport()
    with pytest.raises(InvalidParameter) as caught:
        call(make_client(transport))
    assert str(caught.value).startswith(f"{name}: ")
    assert isinstance(caught.value, ValueError)
    assert transport.requests == []


def test_limits_themselves_are_accepted() -> None:
    replies = [answer(body("verify")), answer(body("verify")), answer(body("create"))]
    transport = FakeTransport(*replies, answer(body("start")), answer(body("start")))
    client = make_client(transport)
    client.verify_token(1, "123456")
    client.verify_token(1, "1" * 12)
    details = {str(i): "v" for i in range(50)}
    client.create_approval_request(1, "x" * 200, details=details, seconds_to_expire=0)
    client.start_phone_verification(1, "2015550123", code_length=4)
    client.start_phone_verification(1, "2015550123", code_length=10)
    assert len(transport.requests) == 5


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("",), "api_key"),
        (("key\r\nX-Evil: 1",), "api_key"),
        ((API_KEY, "ftp://api.tfa.com"), "base_url"),
        ((API_KEY, "api.tfa.com"), "base_url"),
        ((API_KEY, "https://api.tfa.com?x=1"), "base_url"),
        ((API_KEY, "https://api.tfa.com", 0), "timeout"),
    ],
)
def test_constructor_checks(args: tuple[Any, ...], name: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        Client(*args)
    assert str(caught.value).startswith(f"{name}: ")
    assert API_KEY not in str(caught.value)


def test_constructor_checks_options() -> None:
    with pytest.raises(InvalidParameter, match=r"^retries: "):
        Client(API_KEY, retries=-1)
    with pytest.raises(InvalidParameter, match=r"^max_retry_wait: "):
        Client(API_KEY, max_retry_wait=-0.1)
