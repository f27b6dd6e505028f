"""``client()`` of the fixtures: a tfa client on the mock in process, no socket, the
fixture's backend and clock; and statuses that compare equal to the wire strings."""

from __future__ import annotations

import json

import pytest

from tfa_core import approval, verification
from tfa_core.client import Status, TfaApiError, VerificationStatus
from tfa_core.verification import CheckOutcome
from tfa_mock.pytest_plugin import TfaMock, TfaMockApp

PHONE = "+12015550123"


def test_the_in_process_client_runs_the_flow_without_a_socket(
    tfa_mock: TfaMock,
) -> None:
    # A host that resolves nowhere: only an in-process call can answer.
    tfa = tfa_mock.client(base_url="http://no-such-host.invalid")
    user_id = tfa.register_user("ana@example.com", "201-555-0123", 1).user_id
    tfa.request_sms(user_id, force=True)
    assert tfa.verify_token(user_id, tfa_mock.code_for(PHONE)).message == (
        "Token is valid."
    )
    with pytest.raises(TfaApiError) as again:
        tfa.verify_token(user_id, tfa_mock.code_for(PHONE))
    assert again.value.error_code == "60019"

    tfa_mock.install_device(user_id, "android")
    uuid = tfa.create_approval_request(user_id, "Log in?").uuid
    assert tfa.get_approval_request(uuid).status == "pending"
    tfa_mock.approve(uuid)
    assert tfa.get_approval_request(uuid).status == "approved"
    assert [e.path for e in tfa_mock.requests][-1] == (
        f"/onetouch/json/approval_requests/{uuid}"
    )


def test_the_in_process_client_polls_on_the_mock_clock(tfa_mock: TfaMock) -> None:
    tfa = tfa_mock.client()
    assert tfa.base_url == tfa_mock.url
    user_id = tfa.register_user("ana@example.com", "201-555-0123", 1).user_id
    tfa_mock.install_device(user_id, "iphone")
    uuid = tfa.create_approval_request(user_id, "Log in?", seconds_to_expire=30).uuid
    start = tfa_mock.clock.now()
    expired = tfa.wait_for_approval(uuid, timeout=300, interval=10)
    assert expired.status == "expired"
    assert tfa_mock.clock.now() == start + 30  # three polls, ten mock seconds apart


def test_tfa_mock_app_client_is_both_clients(tfa_mock_app: TfaMockApp) -> None:
    answer = tfa_mock_app.client.post(
        "/protected/json/users/new",
        json={
            "user": {
                "email": "a@example.com",
                "cellphone": "201-555-0123",
                "country_code": 1,
            }
        },
        headers=tfa_mock_app.headers,
    )
    user_id = answer.get_json()["user"]["id"]
    tfa = tfa_mock_app.client()  # called: a tfa client on the same app
    assert tfa.user_status(user_id).email == "a@example.com"
    other = tfa_mock_app.new_app("Shop")
    with pytest.raises(TfaApiError) as elsewhere:
        tfa_mock_app.client(other.api_key).user_status(user_id)
    assert elsewhere.value.status == 404


def test_phone_verification_statuses_compare_with_the_wire_strings(
    tfa_mock: TfaMock,
) -> None:
    tfa = tfa_mock.client()
    number = {"country_code": 1, "phone_number": "201-555-0123"}
    tfa.start_phone_verification(1, "201-555-0123", via="sms")
    status = tfa.phone_verification_status(**number).status
    assert status == "pending" and status is VerificationStatus.PENDING
    tfa.check_phone_verification(1, "201-555-0123", tfa_mock.code_for(PHONE))
    assert tfa.phone_verification_status(**number).status == "verified"


@pytest.mark.parametrize(
    "member",
    [*Status, *VerificationStatus, *CheckOutcome],
    ids=lambda m: f"{type(m).__name__}.{m.name}",
)
def test_every_status_is_its_wire_string(member: Status) -> None:
    wire = member.value
    assert member == wire and wire == member and member != wire + "x"
    assert str(member) == f"{member}" == format(member) == wire
    assert f"{member:>12}" == f"{wire:>12}"
    assert json.dumps({"status": member}) == json.dumps({"status": wire})
    assert {wire: 1}[member] == 1 and member in {wire}
    assert type(member)(wire) is member
    assert repr(member) == f"<{type(member).__name__}.{member.name}: {wire!r}>"


def test_state_values_still_round_trip_through_plain_dicts() -> None:
    request = approval.create(uuid="u-1", message="Log in?", now=100.0)
    decided = approval.apply(request, approval.Approve(), now=101.0)
    data = decided.to_dict()
    assert data["status"] == "approved" and type(data["status"]) is str
    assert approval.ApprovalRequest.from_dict(json.loads(json.dumps(data))) == decided
    started = verification.new(uuid="v-1", phone=PHONE, code="1234", now=100.0)
    assert type(started.to_dict()["status"]) is str


# -- in process answers what the server answers ---------------------------------------

KEY_HEADER = "X-TFA-API-Key"
_SAME = [
    ("POST", "/protected/json/users/new", "application/json",
     b'{"user":{"email":"a@example.com","cellphone":"201-555-0123","country_code":1}}'),
    ("POST", "/protected/json/users/new", "application/x-www-form-urlencoded",
     b"user%5Bemail%5D=a%40example.com&user%5Bcellphone%5D=201-555-0123"
     b"&user%5Bcountry_code%5D=1"),
    ("POST", "/protected/xml/users/new", "application/xml",
     b"<user><email>a@example.com</email><cellphone>201-555-0123</cellphone>"
     b"<country_code>1</country_code></user>"),
    ("GET", "/protected/json/verify/%31234567/1000?force=true", None, None),
    ("GET", "/protected/json/users/%ff/status", None, None),
    ("GET", "/protected/json/app/details/?x=%C3%A9&y=a+b", None, None),
    ("GET", "/protected/json/no/such/endpoint", None, None),
    ("POST", "/protected/json/users/new", "application/json", b'{"user": [1'),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "kind", "body"), _SAME)
def test_in_process_answers_as_the_server_does(
    tfa_mock: TfaMock, method: str, path: str, kind: str | None, body: bytes | None
) -> None:
    import urllib.error
    import urllib.request

    from tfa_mock.intercept import call_wsgi

    headers = {KEY_HEADER: tfa_mock.api_key, **({"Content-Type": kind} if kind else {})}

    def fresh() -> None:
        tfa_mock.backend.reset_all()
        tfa_mock.clock.freeze()
        tfa_mock.clock.set(1700000000.0)

    fresh()
    request = urllib.request.Request(
        tfa_mock.url + path, data=body, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            served = (resp.status, resp.headers["Content-Type"], resp.read())
    except urllib.error.HTTPError as error:
        with error:
            served = (error.code, error.headers["Content-Type"], error.read())
    fresh()
    status, answer_headers, content = call_wsgi(
        tfa_mock.server.app, method, tfa_mock.url + path, headers.items(), body
    )
    kind_in_process = dict((k.lower(), v) for k, v in answer_headers)["content-type"]
    assert (status, kind_in_process, content) == served
