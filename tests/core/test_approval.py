"""tfa_core.approval: creation rules (API.md §3.18) and the lifecycle (§4.1)."""

from __future__ import annotations

import json
import math
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfa_core.approval import (
    TRANSITIONS,
    ApprovalRequest,
    Approve,
    Deny,
    Event,
    Logo,
    Status,
    apply,
    create,
    expires_at,
    processed_at,
    status_at,
)
from tfa_core.errors import (
    InvalidApprovalParameter,
    InvalidParameter,
    InvalidTransition,
)

T0 = 1_700_000_000.0
UUID = "c1a5e0d2-7b34-4f0e-a2c9-3d8e1f6b9a04"


def pending(**kwargs: object) -> ApprovalRequest:
    args: dict[str, object] = {"uuid": UUID, "message": "Login requested", "now": T0}
    args.update(kwargs)
    return create(**args)  # type: ignore[arg-type]


# --- create -----------------------------------------------------------------------


def test_create_stores_what_the_status_endpoint_shows() -> None:
    req = create(
        uuid=UUID,
        message="  Login requested \n",
        now=T0,
        details={"Account Number": "981266321"},
        hidden_details={"ip": "10.0.0.1"},
        logos=[
            {"res": "default", "url": "https://example.com/d.png", "size": "9"},
            Logo(res="low", url="https://example.com/l.png"),
        ],
    )
    assert req.message == "Login requested"
    assert req.details == {"Account Number": "981266321"}
    assert req.hidden_details == {"ip": "10.0.0.1"}
    assert req.logos == (
        Logo(res="default", url="https://example.com/d.png"),
        Logo(res="low", url="https://example.com/l.png"),
    )
    assert req.seconds_to_expire == 86400
    assert req.created_at == T0
    assert req.status is Status.PENDING
    assert req.decided_at is None


def test_create_stores_empty_collections_as_none() -> None:
    req = pending(details={}, hidden_details={}, logos=[])
    assert (req.details, req.hidden_details, req.logos) == (None, None, None)


def test_create_copies_the_details_it_is_given() -> None:
    details = {"a": "1"}
    req = pending(details=details)
    details["b"] = "2"
    assert req.details == {"a": "1"}


def test_seconds_to_expire_none_means_the_default_and_zero_means_never() -> None:
    assert pending(seconds_to_expire=None).seconds_to_expire == 86400
    never = pending(seconds_to_expire=0)
    assert expires_at(never) is None
    assert status_at(never, now=T0 + 10 * 365 * 86400) is Status.PENDING


def test_message_of_200_characters_after_trimming_is_accepted() -> None:
    assert len(pending(message="  " + "x" * 200 + "  ").message) == 200


MESSAGE_REQUIRED = "Parameter is required"
MESSAGE_LONG = "Must be at most 200 characters"
DETAILS = "Must be an object of at most 50 string values"
LOGOS = "Must be a list of {res, url} with res one of: default, low, med, high"
SECONDS = "Must be a non-negative integer"
URL = "https://example.com/a.png"

INVALID = [
    ({"message": ""}, "message", MESSAGE_REQUIRED),
    ({"message": " \t\n "}, "message", MESSAGE_REQUIRED),
    ({"message": None}, "message", MESSAGE_REQUIRED),
    ({"message": "x" * 201}, "message", MESSAGE_LONG),
    ({"details": {str(i): "v" for i in range(51)}}, "details", DETAILS),
    ({"details": {"n": 1}}, "details", DETAILS),
    ({"details": {"n": {"nested": "x"}}}, "details", DETAILS),
    ({"details": ["a", "b"]}, "details", DETAILS),
    ({"details": "a=b"}, "details", DETAILS),
    ({"hidden_details": {str(i): "v" for i in range(51)}}, "hidden_details", DETAILS),
    ({"hidden_details": {"n": None}}, "hidden_details", DETAILS),
    ({"logos": [{"res": "huge", "url": URL}]}, "logos", LOGOS),
    ({"logos": [{"res": "low"}]}, "logos", LOGOS),
    ({"logos": [{"res": "low", "url": ""}]}, "logos", LOGOS),
    ({"logos": [{"url": URL}]}, "logos", LOGOS),
    ({"logos": [{"res": ["low"], "url": URL}]}, "logos", LOGOS),
    ({"logos": ["low"]}, "logos", LOGOS),
    ({"logos": {"res": "low", "url": URL}}, "logos", LOGOS),
    ({"logos": "low"}, "logos", LOGOS),
    ({"seconds_to_expire": -1}, "seconds_to_expire", SECONDS),
    ({"seconds_to_expire": True}, "seconds_to_expire", SECONDS),
    ({"seconds_to_expire": 1.5}, "seconds_to_expire", SECONDS),
    ({"seconds_to_expire": "60"}, "seconds_to_expire", SECONDS),
]


@pytest.mark.parametrize(("kwargs", "param", "reason"), INVALID)
def test_create_refuses_with_the_exact_wire_reason(
    kwargs: dict[str, object], param: str, reason: str
) -> None:
    with pytest.raises(InvalidApprovalParameter) as info:
        pending(**kwargs)
    assert (info.value.param, info.value.reason) == (param, reason)
    assert str(info.value) == f"{param}: {reason}"
    assert isinstance(info.value, InvalidParameter)
    assert isinstance(info.value, ValueError)


def test_create_checks_parameters_in_table_order() -> None:
    with pytest.raises(InvalidApprovalParameter) as info:
        pending(message="", details={"n": 1}, seconds_to_expire=-1)
    assert info.value.param == "message"
    with pytest.raises(InvalidApprovalParameter) as info:
        pending(logos=["x"], seconds_to_expire=-1)
    assert info.value.param == "logos"


def test_invalid_approval_parameter_survives_pickling() -> None:
    error = InvalidApprovalParameter("logos", LOGOS)
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert (again.param, again.reason, str(again)) == ("logos", LOGOS, str(error))


def test_a_logo_value_checks_itself() -> None:
    with pytest.raises(InvalidApprovalParameter):
        Logo(res="huge", url=URL)  # type: ignore[arg-type]
    with pytest.raises(InvalidApprovalParameter):
        Logo(res="low", url="")


# --- the transition table, every pair -----------------------------------------------

EXPIRY = 600


def in_state(status: Status) -> tuple[ApprovalRequest, float]:
    """A request that is in *status* at the returned instant."""
    req = pending(seconds_to_expire=EXPIRY)
    if status is Status.PENDING:
        return req, T0 + 1
    if status is Status.EXPIRED:
        return req, T0 + EXPIRY
    event = Approve() if status is Status.APPROVED else Deny()
    return apply(req, event, now=T0 + 1), T0 + 2


EXPECTED = {
    (Status.PENDING, Approve): Status.APPROVED,
    (Status.PENDING, Deny): Status.DENIED,
    (Status.APPROVED, Approve): None,
    (Status.APPROVED, Deny): None,
    (Status.DENIED, Approve): None,
    (Status.DENIED, Deny): None,
    (Status.EXPIRED, Approve): None,
    (Status.EXPIRED, Deny): None,
}


def test_the_table_is_exactly_the_two_decisions() -> None:
    assert {k: v for k, v in EXPECTED.items() if v is not None} == TRANSITIONS


@pytest.mark.parametrize(("status", "event_type"), list(EXPECTED))
def test_every_state_and_event(status: Status, event_type: type[Event]) -> None:
    req, now = in_state(status)
    assert status_at(req, now=now) is status
    before = req.to_dict()
    expected = EXPECTED[status, event_type]
    if expected is None:
        with pytest.raises(InvalidTransition, match=status.value):
            apply(req, event_type(), now=now)
        assert req.to_dict() == before
        assert status_at(req, now=now) is status
        return
    after = apply(req, event_type(), now=now)
    assert after.status is expected
    assert after.decided_at == now
    assert processed_at(after, now=now) == now
    assert req.to_dict() == before  # the input is a value: untouched


def test_the_bare_event_base_is_no_move() -> None:
    with pytest.raises(InvalidTransition):
        apply(pending(), Event(), now=T0)


# --- expiry and processed_at (API.md §4.1) ------------------------------------------


def test_expiry_is_at_creation_plus_seconds_to_expire() -> None:
    req = pending(seconds_to_expire=EXPIRY)
    assert expires_at(req) == T0 + EXPIRY
    assert status_at(req, now=T0 + EXPIRY - 0.001) is Status.PENDING
    assert status_at(req, now=T0 + EXPIRY) is Status.EXPIRED
    with pytest.raises(InvalidTransition, match="expired"):
        apply(req, Approve(), now=T0 + EXPIRY)
    assert apply(req, Approve(), now=T0 + EXPIRY - 0.001).status is Status.APPROVED


def test_processed_at_is_null_then_the_decision_or_the_expiry() -> None:
    req = pending(seconds_to_expire=EXPIRY)
    assert processed_at(req, now=T0 + 10) is None
    assert processed_at(req, now=T0 + 5000) == T0 + EXPIRY
    denied = apply(req, Deny(), now=T0 + 10)
    # A decided request stays decided after its expiry instant.
    assert status_at(denied, now=T0 + 5000) is Status.DENIED
    assert processed_at(denied, now=T0 + 5000) == T0 + 10


# --- values -----------------------------------------------------------------------


def test_to_dict_is_plain_and_round_trips_through_json() -> None:
    req = apply(
        pending(
            details={"Account Number": "981266321"},
            logos=[{"res": "high", "url": URL}],
            seconds_to_expire=0,
        ),
        Approve(),
        now=T0 + 3.5,
    )
    data = req.to_dict()
    assert data == {
        "uuid": UUID,
        "message": "Login requested",
        "details": {"Account Number": "981266321"},
        "hidden_details": None,
        "logos": [{"res": "high", "url": URL}],
        "seconds_to_expire": 0,
        "created_at": T0,
        "status": "approved",
        "decided_at": T0 + 3.5,
    }
    assert ApprovalRequest.from_dict(json.loads(json.dumps(data))) == req


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"status": "gone"}, "status"),
        ({"uuid": 7}, "uuid"),
        ({"created_at": "now"}, "created_at"),
        ({"created_at": math.nan}, "created_at"),
        ({"decided_at": True}, "decided_at"),
        ({"message": ""}, "message"),
        ({"logos": [{"res": "x", "url": URL}]}, "logos"),
    ],
)
def test_from_dict_rejects_bad_values(change: dict[str, object], param: str) -> None:
    data = pending().to_dict()
    data.update(change)
    with pytest.raises(InvalidParameter, match=rf"^{param}: "):
        ApprovalRequest.from_dict(data)


@pytest.mark.parametrize("name", ["status", "seconds_to_expire", "logos"])
def test_from_dict_names_a_missing_field(name: str) -> None:
    data = pending().to_dict()
    del data[name]
    with pytest.raises(InvalidParameter, match=rf"^{name}: is required"):
        ApprovalRequest.from_dict(data)


# --- properties -------------------------------------------------------------------

text = st.text(st.characters(codec="utf-8"), max_size=8)
requests = st.builds(
    create,
    uuid=st.uuids().map(str),
    message=st.text(st.characters(codec="utf-8"), min_size=1, max_size=200).filter(
        str.strip
    ),
    now=st.floats(min_value=0, max_value=4e9, allow_nan=False),
    details=st.none() | st.dictionaries(text, text, max_size=5),
    hidden_details=st.none() | st.dictionaries(text, text, max_size=5),
    logos=st.none()
    | st.lists(
        st.builds(
            Logo,
            res=st.sampled_from(["default", "low", "med", "high"]),
            url=st.text(min_size=1, max_size=20),
        ),
        max_size=4,
    ),
    seconds_to_expire=st.integers(min_value=0, max_value=10**7),
)
events = st.sampled_from([Approve(), Deny()])


@settings(max_examples=200)
@given(requests)
def test_requests_round_trip_through_json(req: ApprovalRequest) -> None:
    data = json.loads(json.dumps(req.to_dict()))
    assert ApprovalRequest.from_dict(data) == req


@settings(max_examples=200)
@given(
    requests,
    st.lists(st.tuples(events, st.floats(min_value=0, max_value=2e7)), max_size=8),
)
def test_a_terminal_state_never_changes(
    req: ApprovalRequest, moves: list[tuple[Event, float]]
) -> None:
    now = req.created_at
    terminal: Status | None = None
    for event, gap in moves:
        now += gap
        status = status_at(req, now=now)
        if terminal is not None:
            assert status is terminal
        if status is not Status.PENDING:
            terminal = status
            with pytest.raises(InvalidTransition):
                apply(req, event, now=now)
            continue
        req = apply(req, event, now=now)
        terminal = req.status
        assert terminal in (Status.APPROVED, Status.DENIED)


@settings(max_examples=300)
@given(requests.filter(lambda r: r.seconds_to_expire > 0))
def test_expiry_happens_exactly_at_created_plus_seconds(req: ApprovalRequest) -> None:
    instant = req.created_at + req.seconds_to_expire
    assert expires_at(req) == instant
    assert status_at(req, now=instant) is Status.EXPIRED
    assert status_at(req, now=math.nextafter(instant, -math.inf)) is Status.PENDING
    assert processed_at(req, now=instant) == instant
