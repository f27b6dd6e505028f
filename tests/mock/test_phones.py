"""Phone verification and phone information through HTTP (API.md §3.14-3.17, §6).

Every endpoint in json and xml; exact bodies (JSON byte for byte, XML byte for byte
against the renderer or a literal); errors in the order of the spec; re-sends,
the fifth wrong check, expiry and the ``verification_starts`` limit on the mock
clock (never sleeping). Seeded values (seed 7) are pinned: the first verification
of a fresh backend has the uuid and code below.
"""

from __future__ import annotations

import hmac
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.mock._bodies import error, expect, invalid
from tests.mock._users import AUTH, FORMATS
from tests.mock.conftest import NOW
from tfa_mock.backend import Backend
from tfa_mock.backend.records import Fault

START = "/protected/{}/phones/verification/start"
CHECK = "/protected/{}/phones/verification/check"
STATUS = "/protected/{}/phones/verification/status"
INFO = "/protected/{}/phones/info"

# Seed 7: the first draws after the default app's object id.
UUID1 = "128b2f33-0c5c-4fd0-a6a3-a4506513270e"
CODE1 = "8779"
ANA: dict[str, Any] = {"country_code": 1, "phone_number": "201-555-0123"}
ANA_E164 = "+12015550123"


def start(client: FlaskClient, fmt: str = "json", **params: Any) -> TestResponse:
    return client.post(START.format(fmt), json=params, headers=AUTH)


def check(client: FlaskClient, fmt: str = "json", **params: Any) -> TestResponse:
    return client.get(CHECK.format(fmt), query_string=params, headers=AUTH)


def status(client: FlaskClient, fmt: str = "json", **params: Any) -> TestResponse:
    return client.get(STATUS.format(fmt), query_string=params, headers=AUTH)


def info(client: FlaskClient, fmt: str = "json", **params: Any) -> TestResponse:
    return client.get(INFO.format(fmt), query_string=params, headers=AUTH)


def started(
    seconds: int = 600,
    uuid: str = UUID1,
    message: str = "Text message sent to +1 201-555-0123.",
    carrier: str = "Unknown carrier",
    is_cellphone: bool = True,
) -> dict[str, Any]:
    return {
        "carrier": carrier,
        "is_cellphone": is_cellphone,
        "is_ported": False,
        "message": message,
        "seconds_to_expire": seconds,
        "uuid": uuid,
        "success": True,
    }


def state(status_: str, seconds: int, uuid: str = UUID1) -> dict[str, Any]:
    return {
        "message": "Phone verification status.",
        "status": status_,
        "seconds_to_expire": seconds,
        "uuid": uuid,
        "success": True,
    }


CORRECT = {"message": "Verification code is correct.", "success": True}
INCORRECT = error("60022", "Verification code is incorrect")
NOT_PENDING_ANA = error("60023", "No pending verifications for +1 201-555-0123 found.")
NOT_FOUND = error("60023", "Phone verification not found")
PHONE_INVALID = error("60033", "Phone number is invalid")


# -- start (§3.14) -----------------------------------------------------------------


def test_start_sms_answers_the_spec_body_and_sends_the_code(
    client: FlaskClient, backend: Backend
) -> None:
    resp = start(client, via="sms", **ANA)
    assert resp.status_code == 200
    assert resp.data == (
        b'{"carrier":"Unknown carrier","is_cellphone":true,"is_ported":false,'
        b'"message":"Text message sent to +1 201-555-0123.","seconds_to_expire":600,'
        b'"uuid":"128b2f33-0c5c-4fd0-a6a3-a4506513270e","success":true}'
    )
    [message] = backend.messages
    assert (message.channel, message.to, message.purpose) == (
        "sms",
        ANA_E164,
        "phone_verification",
    )
    assert message.user_id is None and message.app_id == 1
    assert message.code is not None and hmac.compare_digest(message.code, CODE1)
    assert message.body == f"Your Default App verification code is: {CODE1}"


def test_start_xml_body(client: FlaskClient) -> None:
    resp = start(client, "xml", via="call", country_code=1, phone_number="7754615609")
    assert resp.status_code == 200
    assert resp.data.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<hash>\n"
        "  <carrier>Unknown carrier</carrier>\n"
        '  <is-cellphone type="boolean">true</is-cellphone>\n'
        '  <is-ported type="boolean">false</is-ported>\n'
        "  <message>Call to +1 7754615609 initiated.</message>\n"
        '  <seconds-to-expire type="integer">600</seconds-to-expire>\n'
        f"  <uuid>{UUID1}</uuid>\n"
        '  <success type="boolean">true</success>\n'
        "</hash>\n"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_start_by_call_speaks_the_code(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    resp = start(
        client, fmt, via="call", country_code="+1", phone_number="775-461-5609"
    )
    expect(resp, fmt, 200, started(message="Call to +1 775-461-5609 initiated."))
    [message] = backend.messages
    assert (message.channel, message.to) == ("voice", "+17754615609")
    assert message.body == f"Your Default App verification code is: {CODE1}"
    month = backend.stats[1, 2023, 11]
    assert (month["sms_count"], month["calls_count"]) == (0, 1)


@pytest.mark.parametrize(
    ("content_type", "body", "query"),
    [
        (
            "application/x-www-form-urlencoded",
            "via=sms&country_code=1&phone_number=201-555-0123",
            "",
        ),
        (
            "application/xml",
            "<hash><via>sms</via><country-code type='integer'>1</country-code>"
            "<phone-number>201-555-0123</phone-number></hash>",
            "",
        ),
        (None, "", "via=sms&country_code=%2B1&phone_number=201-555-0123"),
        (
            "application/json",
            '{"via":" sms ","country_code":"1"}',
            "phone_number=201-555-0123",
        ),
    ],
)
def test_start_reads_every_encoding(
    client: FlaskClient, content_type: str | None, body: str, query: str
) -> None:
    headers = dict(AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    resp = client.post(
        START.format("json") + (f"?{query}" if query else ""),
        data=body,
        headers=headers,
    )
    expect(resp, "json", 200, started())


@pytest.mark.parametrize(
    ("country_code", "number", "carrier", "is_cellphone"),
    [
        (351, "912345678", "Vodafone", True),  # MOBILE
        (44, "7400123456", "Three", True),  # MOBILE
        (39, "3123456789", "Unknown carrier", True),  # MOBILE, no carrier known
        (1, "2015550123", "Unknown carrier", True),  # FIXED_LINE_OR_MOBILE
        (44, "1212345678", "Unknown carrier", False),  # FIXED_LINE
        (44, "5612345678", "Unknown carrier", False),  # VOIP
    ],
)
def test_start_describes_the_number(
    client: FlaskClient,
    country_code: int,
    number: str,
    carrier: str,
    is_cellphone: bool,
) -> None:
    resp = start(client, via="sms", country_code=country_code, phone_number=number)
    body = started(
        message=f"Text message sent to +{country_code} {number}.",
        carrier=carrier,
        is_cellphone=is_cellphone,
    )
    expect(resp, "json", 200, body)


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"code_length": 10}, "Your Default App verification code is: {code}"),
        ({"code_length": "7"}, "Your Default App verification code is: {code}"),
        (
            {"custom_message": "Code {{code}}, again {{code}}."},
            "Code {code}, again {code}.",
        ),
        ({"custom_message": "Your Shop code:"}, "Your Shop code: {code}"),
        ({"custom_message": "   "}, "Your Default App verification code is: {code}"),
    ],
)
def test_code_length_and_custom_message(
    client: FlaskClient, backend: Backend, params: dict[str, Any], text: str
) -> None:
    expect(start(client, via="sms", **ANA, **params), "json", 200, started())
    [message] = backend.messages
    code = message.code
    assert code is not None and code.isdigit()
    assert len(code) == int(params.get("code_length", 4))
    assert message.body == text.format(code=code)


def test_custom_code_needs_the_app_setting(
    client: FlaskClient, backend: Backend
) -> None:
    expect(
        start(client, via="sms", custom_code="123456", **ANA),
        "json",
        400,
        error(
            "60021",
            "Phone verification couldn't be created: custom codes are not allowed.",
        ),
    )
    assert backend.messages == []
    backend.apps[1].custom_codes_enabled = True
    expect(
        start(client, via="sms", custom_code="123456", **ANA), "json", 200, started()
    )
    [message] = backend.messages
    assert message.code is not None and hmac.compare_digest(message.code, "123456")
    expect(check(client, verification_code="123456", **ANA), "json", 200, CORRECT)


# Errors in the order of API.md §3.14: required via, country_code, phone_number;
# then the values of via, code_length, custom_code; 60033; 60021; 60007/60006.
START_ERRORS: list[tuple[dict[str, Any], int, dict[str, Any]]] = [
    ({}, 400, invalid("via", "Parameter is required")),
    ({"via": "fax"}, 400, invalid("country_code", "Parameter is required")),
    (
        {"via": "fax", "country_code": 1},
        400,
        invalid("phone_number", "Parameter is required"),
    ),
    ({"via": " ", **ANA}, 400, invalid("via", "Parameter is required")),
    (
        {"via": "sms", "country_code": "one", "phone_number": "x"},
        400,
        invalid("country_code", "Must be an integer"),
    ),
    (
        {"via": "fax", **ANA, "code_length": 2},
        400,
        invalid("via", "Must be one of: sms, call"),
    ),
    ({"via": "SMS", **ANA}, 400, invalid("via", "Must be one of: sms, call")),
    (
        {"via": "sms", **ANA, "code_length": "six"},
        400,
        invalid("code_length", "Must be an integer"),
    ),
    (
        {"via": "sms", **ANA, "code_length": 3},
        400,
        invalid("code_length", "Must be an integer between 4 and 10"),
    ),
    (
        {"via": "sms", **ANA, "code_length": 11},
        400,
        invalid("code_length", "Must be an integer between 4 and 10"),
    ),
    (
        {"via": "sms", **ANA, "custom_code": "12ab"},
        400,
        invalid("custom_code", "Must be 4 to 10 digits"),
    ),
    (
        {"via": "sms", **ANA, "custom_code": "123"},
        400,
        invalid("custom_code", "Must be 4 to 10 digits"),
    ),
    (
        {
            "via": "sms",
            "country_code": 1,
            "phone_number": "555-867-5309",
            "custom_code": "1234x",
        },
        400,
        invalid("custom_code", "Must be 4 to 10 digits"),
    ),
    (
        {
            "via": "sms",
            "country_code": 1,
            "phone_number": "555-867-5309",
            "custom_code": "1234",
        },
        400,
        PHONE_INVALID,
    ),
    (
        {"via": "sms", "country_code": 999, "phone_number": "201-555-0123"},
        400,
        PHONE_INVALID,
    ),
    ({"via": "sms", "country_code": 44, "phone_number": "12345"}, 400, PHONE_INVALID),
    (
        {"via": "sms", "country_code": 1, "phone_number": "+1 201-555-0123"},
        400,
        PHONE_INVALID,
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("params", "code", "body"), START_ERRORS)
def test_start_errors_in_order(
    client: FlaskClient,
    backend: Backend,
    fmt: str,
    params: dict[str, Any],
    code: int,
    body: dict[str, Any],
) -> None:
    backend.apps[1].sms_enabled = False  # 60007 comes after all of these
    expect(start(client, fmt, **params), fmt, code, body)
    assert backend.messages == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_start_channel_switches(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    app = backend.apps[1]
    app.sms_enabled = app.phone_calls_enabled = False
    expect(
        start(client, fmt, via="sms", custom_code="1234", **ANA),
        fmt,
        400,
        error(
            "60021",
            "Phone verification couldn't be created: custom codes are not allowed.",
        ),
    )
    expect(
        start(client, fmt, via="sms", **ANA),
        fmt,
        503,
        error("60007", "SMS is not enabled"),
    )
    expect(
        start(client, fmt, via="call", **ANA),
        fmt,
        503,
        error("60006", "Phone calls are not enabled on this account"),
    )
    app.phone_calls_enabled = True
    expect(
        start(client, fmt, via="call", **ANA),
        fmt,
        200,
        started(message="Call to +1 201-555-0123 initiated."),
    )
    assert [m.channel for m in backend.messages] == ["voice"]


def test_start_while_pending_resends_the_same_code(
    client: FlaskClient, backend: Backend
) -> None:
    expect(start(client, via="sms", **ANA), "json", 200, started())
    drawn = backend.rng.getstate()
    backend.clock.advance(100.5)
    backend.apps[1].custom_codes_enabled = True
    # Same number typed differently; code_length and custom_code are ignored.
    resp = start(
        client,
        via="call",
        country_code=1,
        phone_number="(201) 555 0123",
        code_length=8,
        custom_code="99999999",
    )
    body = started(500, message="Call to +1 (201) 555 0123 initiated.")
    expect(resp, "json", 200, body)
    assert backend.rng.getstate() == drawn  # API.md §8: no randomness drawn
    first, second = backend.messages
    assert (first.channel, second.channel) == ("sms", "voice")
    assert first.code is not None and second.code is not None
    assert hmac.compare_digest(first.code, second.code)
    assert second.body == first.body and second.created_at == NOW + 100.5
    month = backend.stats[1, 2023, 11]
    assert (month["sms_count"], month["calls_count"]) == (1, 1)
    expect(status(client, **ANA), "json", 200, state("pending", 500))


def test_start_after_expiry_makes_a_new_verification(
    client: FlaskClient, backend: Backend
) -> None:
    expect(start(client, via="sms", **ANA), "json", 200, started())
    backend.clock.advance(600)
    resp = start(client, via="sms", **ANA)
    assert resp.status_code == 200
    second = resp.json
    assert second is not None and second["uuid"] != UUID1
    assert second["seconds_to_expire"] == 600
    expect(status(client, uuid=UUID1), "json", 200, state("expired", 0))
    expect(status(client, **ANA), "json", 200, state("pending", 600, second["uuid"]))
    assert len({m.code for m in backend.messages}) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_verification_starts_limit(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    for i in range(5):  # the first start and four re-sends
        backend.clock.set(NOW + 10 * i)
        expect(start(client, fmt, via="sms", **ANA), fmt, 200, started(600 - 10 * i))
    resp = start(client, fmt, via="call", country_code=1, phone_number="2015550123")
    expect(resp, fmt, 429, error("60003", "Too many requests"))
    assert resp.headers["Retry-After"] == "560"  # oldest start at NOW, window 600
    assert len(backend.messages) == 5
    # Another number has its own count.
    other = start(client, fmt, via="sms", country_code=1, phone_number="7754615609")
    assert other.status_code == 200
    # Refused starts are no events: the window slides from the first start.
    backend.clock.set(NOW + 599.5)
    assert start(client, fmt, via="sms", **ANA).headers["Retry-After"] == "1"
    backend.clock.set(NOW + 600)
    resp = start(client, fmt, via="sms", **ANA)
    assert resp.status_code == 200  # expired at NOW + 600: a new verification


def test_refused_starts_do_not_count(client: FlaskClient, backend: Backend) -> None:
    backend.apps[1].sms_enabled = False
    for _ in range(6):
        assert start(client, via="sms", **ANA).status_code == 503
    for _ in range(5):
        assert start(client, via="call", **ANA).status_code == 200


def test_dropped_message_still_starts(client: FlaskClient, backend: Backend) -> None:
    backend.faults.append(
        Fault(
            id=backend.next_id("fault"),
            endpoint="phones/verification/start",
            to=ANA_E164,
            drop_message=True,
        )
    )
    expect(start(client, via="sms", **ANA), "json", 200, started())
    assert backend.messages == [] and backend.faults == []
    assert backend.stats[1, 2023, 11]["sms_count"] == 1
    expect(check(client, verification_code=CODE1, **ANA), "json", 200, CORRECT)


# -- check (§3.15) -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_correct_consumes(client: FlaskClient, fmt: str) -> None:
    start(client, via="sms", **ANA)
    resp = check(client, fmt, verification_code=CODE1, **ANA)
    if fmt == "json":
        assert (
            resp.data == b'{"message":"Verification code is correct.","success":true}'
        )
    expect(resp, fmt, 200, CORRECT)
    expect(
        check(client, fmt, verification_code=CODE1, **ANA), fmt, 404, NOT_PENDING_ANA
    )
    expect(status(client, fmt, uuid=UUID1), fmt, 200, state("verified", 0))


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_names_the_number_as_submitted(client: FlaskClient, fmt: str) -> None:
    resp = check(client, fmt, verification_code="1234", **ANA)
    if fmt == "json":
        assert resp.data == (
            b'{"message":"No pending verifications for +1 201-555-0123 found.",'
            b'"success":false,"errors":{"message":"No pending verifications for '
            b'+1 201-555-0123 found."},"error_code":"60023"}'
        )
    expect(resp, fmt, 404, NOT_PENDING_ANA)
    resp = check(
        client,
        fmt,
        country_code="+1",
        phone_number=" (201) 555.0123 ",
        verification_code="1",
    )
    expect(
        resp,
        fmt,
        404,
        error("60023", "No pending verifications for +1 (201) 555.0123 found."),
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_fifth_wrong_check_invalidates(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    start(client, via="sms", **ANA)
    for wrong in ("0000", "1234", "87790", "abcd"):
        expect(check(client, fmt, verification_code=wrong, **ANA), fmt, 401, INCORRECT)
        expect(status(client, fmt, **ANA), fmt, 200, state("pending", 600))
    resp = check(client, fmt, verification_code="9999", **ANA)
    if fmt == "json":
        assert resp.data == (
            b'{"message":"Verification code is incorrect","success":false,'
            b'"errors":{"message":"Verification code is incorrect"},'
            b'"error_code":"60022"}'
        )
    expect(resp, fmt, 401, INCORRECT)
    expect(status(client, fmt, **ANA), fmt, 200, state("expired", 0))
    expect(
        check(client, fmt, verification_code=CODE1, **ANA), fmt, 404, NOT_PENDING_ANA
    )
    # Invalidated: the next start is a new verification with a new code.
    resp = start(client, via="sms", **ANA)
    assert resp.json is not None and resp.json["uuid"] != UUID1


def test_four_wrong_then_correct(client: FlaskClient) -> None:
    start(client, via="sms", **ANA)
    for _ in range(4):
        assert check(client, verification_code="0000", **ANA).status_code == 401
    expect(check(client, verification_code=CODE1, **ANA), "json", 200, CORRECT)


def test_check_after_expiry(client: FlaskClient, backend: Backend) -> None:
    start(client, via="sms", **ANA)
    backend.clock.advance(599.9)
    expect(status(client, **ANA), "json", 200, state("pending", 1))
    backend.clock.advance(0.1)
    expect(check(client, verification_code=CODE1, **ANA), "json", 404, NOT_PENDING_ANA)
    expect(status(client, **ANA), "json", 200, state("expired", 0))


CHECK_ERRORS: list[tuple[dict[str, Any], int, dict[str, Any]]] = [
    ({}, 400, invalid("country_code", "Parameter is required")),
    ({"country_code": "1"}, 400, invalid("phone_number", "Parameter is required")),
    ({**ANA}, 400, invalid("verification_code", "Parameter is required")),
    (
        {**ANA, "verification_code": ""},
        400,
        invalid("verification_code", "Parameter is required"),
    ),
    (
        {"country_code": "x", "phone_number": "1", "verification_code": "1"},
        400,
        invalid("country_code", "Must be an integer"),
    ),
    (
        {"country_code": 1, "phone_number": "555-867-5309", "verification_code": "1"},
        400,
        PHONE_INVALID,
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("params", "code", "body"), CHECK_ERRORS)
def test_check_errors(
    client: FlaskClient,
    fmt: str,
    params: dict[str, Any],
    code: int,
    body: dict[str, Any],
) -> None:
    expect(check(client, fmt, **params), fmt, code, body)


# -- status (§3.16) ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_counts_down(client: FlaskClient, backend: Backend, fmt: str) -> None:
    start(client, via="sms", **ANA)
    backend.clock.advance(188)
    resp = status(client, fmt, uuid=UUID1)
    if fmt == "json":  # the spec example with the seeded uuid
        assert resp.data == (
            b'{"message":"Phone verification status.","status":"pending",'
            b'"seconds_to_expire":412,"uuid":"128b2f33-0c5c-4fd0-a6a3-a4506513270e",'
            b'"success":true}'
        )
    expect(resp, fmt, 200, state("pending", 412))
    backend.clock.advance(0.25)
    expect(status(client, fmt, **ANA), fmt, 200, state("pending", 412))  # rounded up
    # The uuid wins over a number given with it.
    other = {"country_code": 44, "phone_number": "7400123456"}
    expect(status(client, fmt, uuid=UUID1, **other), fmt, 200, state("pending", 412))


STATUS_ERRORS: list[tuple[dict[str, Any], int, dict[str, Any]]] = [
    ({}, 400, invalid("uuid", "Parameter is required")),
    ({"uuid": " "}, 400, invalid("uuid", "Parameter is required")),
    ({"country_code": 1}, 400, invalid("uuid", "Parameter is required")),
    ({"phone_number": "201-555-0123"}, 400, invalid("uuid", "Parameter is required")),
    ({"country_code": 1, "phone_number": "555-867-5309"}, 400, PHONE_INVALID),
    ({"uuid": "3f0e9d4c-2b1a-4c8d-9e7f-6a5b4c3d2e1f"}, 404, NOT_FOUND),
    ({"country_code": 44, "phone_number": "7400123456"}, 404, NOT_FOUND),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("params", "code", "body"), STATUS_ERRORS)
def test_status_errors(
    client: FlaskClient,
    fmt: str,
    params: dict[str, Any],
    code: int,
    body: dict[str, Any],
) -> None:
    start(client, via="sms", **ANA)
    expect(status(client, fmt, **params), fmt, code, body)


def test_verifications_belong_to_their_app(
    client: FlaskClient, backend: Backend
) -> None:
    start(client, via="sms", **ANA)
    with backend.lock:
        backend._add_app(name="Shop", api_key="shop_key")
    shop = {"X-TFA-API-Key": "shop_key"}
    resp = client.get(STATUS.format("json"), query_string={"uuid": UUID1}, headers=shop)
    expect(resp, "json", 404, NOT_FOUND)
    query = {**ANA, "verification_code": CODE1}
    resp = client.get(CHECK.format("json"), query_string=query, headers=shop)
    expect(resp, "json", 404, NOT_PENDING_ANA)
    resp = client.post(START.format("json"), json={"via": "sms", **ANA}, headers=shop)
    assert resp.status_code == 200 and resp.json is not None
    assert resp.json["uuid"] != UUID1
    assert backend.messages[-1].body.startswith("Your Shop verification code is: ")
    # Still pending in the default app.
    expect(check(client, verification_code=CODE1, **ANA), "json", 200, CORRECT)


# -- phone information (§3.17) -----------------------------------------------------


def phone_info(provider: str, kind: str, at: str) -> dict[str, Any]:
    return {
        "message": f"Phone number information as of {at} UTC",
        "ported": False,
        "provider": provider,
        "success": True,
        "type": kind,
    }


@pytest.mark.parametrize(
    ("country_code", "number", "provider", "kind"),
    [
        (351, "912345678", "Vodafone", "cellphone"),  # MOBILE
        (39, "312 345 6789", "Unknown", "cellphone"),  # MOBILE, no carrier known
        (1, "201-555-0123", "Unknown", "cellphone"),  # FIXED_LINE_OR_MOBILE
        (44, "121 234 5678", "Unknown", "landline"),  # FIXED_LINE
        (351, "212345678", "Unknown", "landline"),  # FIXED_LINE
        (44, "56 1234 5678", "Unknown", "voip"),  # VOIP
        (44, "800 123 4567", "Unknown", "unknown"),  # TOLL_FREE
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_phone_info(
    client: FlaskClient,
    fmt: str,
    country_code: int,
    number: str,
    provider: str,
    kind: str,
) -> None:
    resp = info(client, fmt, country_code=country_code, phone_number=number)
    expect(resp, fmt, 200, phone_info(provider, kind, "2023-11-14 22:13:20"))


def test_phone_info_spec_body_and_clock(client: FlaskClient, backend: Backend) -> None:
    resp = info(client, country_code=351, phone_number="912345678")
    assert resp.data == (
        b'{"message":"Phone number information as of 2023-11-14 22:13:20 UTC",'
        b'"ported":false,"provider":"Vodafone","success":true,"type":"cellphone"}'
    )
    backend.clock.advance(86400 * 120 + 3599.99)
    resp = info(client, "xml", country_code=351, phone_number="912345678")
    assert resp.data.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<hash>\n"
        "  <message>Phone number information as of 2024-03-13 23:13:19 UTC</message>\n"
        '  <ported type="boolean">false</ported>\n'
        "  <provider>Vodafone</provider>\n"
        '  <success type="boolean">true</success>\n'
        "  <type>cellphone</type>\n"
        "</hash>\n"
    )


INFO_ERRORS: list[tuple[dict[str, Any], int, dict[str, Any]]] = [
    ({}, 400, invalid("country_code", "Parameter is required")),
    ({"country_code": 1}, 400, invalid("phone_number", "Parameter is required")),
    (
        {"country_code": "US", "phone_number": "2015550123"},
        400,
        invalid("country_code", "Must be an integer"),
    ),
    ({"country_code": 1, "phone_number": "555-867-5309"}, 400, PHONE_INVALID),
    ({"country_code": 1, "phone_number": "call me"}, 400, PHONE_INVALID),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("params", "code", "body"), INFO_ERRORS)
def test_phone_info_errors(
    client: FlaskClient,
    fmt: str,
    params: dict[str, Any],
    code: int,
    body: dict[str, Any],
) -> None:
    expect(info(client, fmt, **params), fmt, code, body)
