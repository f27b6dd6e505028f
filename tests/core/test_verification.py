"""tfa_core.verification: start, re-start, check, expiry, status (API.md §3.14-3.16)."""

from __future__ import annotations

import hmac
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfa_core.errors import InvalidParameter
from tfa_core.verification import (
    MAX_WRONG_CHECKS,
    TTL,
    CheckOutcome,
    PhoneVerification,
    VerificationStatus,
    check,
    is_pending,
    new,
    seconds_to_expire,
    start,
    status_at,
)

T0 = 1_700_000_000.0
PHONE = "+12015550123"
UUID = "3f0e9d4c-2b1a-4c8d-9e7f-6a5b4c3d2e1f"


def started(code: str = "1234", now: float = T0) -> PhoneVerification:
    return new(uuid=UUID, phone=PHONE, code=code, now=now)


# --- start ------------------------------------------------------------------------


def test_a_new_verification_is_pending_for_600_seconds() -> None:
    v = started()
    assert TTL == 600
    assert v.status is VerificationStatus.PENDING
    assert (v.created_at, v.expires_at) == (T0, T0 + 600)
    assert v.wrong_checks == 0
    assert seconds_to_expire(v, now=T0) == 600
    assert seconds_to_expire(v, now=T0 + 187.5) == 413  # rounded up


@pytest.mark.parametrize("code", ["1234", "0000", "0123456789"])
def test_codes_of_4_to_10_digits_are_accepted(code: str) -> None:
    assert started(code).code == code


@pytest.mark.parametrize("code", ["123", "01234567891", "12a4", "", " 1234", "١٢٣٤"])
def test_other_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidParameter, match=r"^code: "):
        started(code)


@pytest.mark.parametrize("phone", ["12015550123", "+0123", "+1", "+1234567890123456"])
def test_phone_must_be_e164(phone: str) -> None:
    with pytest.raises(InvalidParameter, match=r"^phone: "):
        new(uuid=UUID, phone=phone, code="1234", now=T0)


@pytest.mark.parametrize("ttl", [0, -1, float("inf"), True])
def test_ttl_must_be_positive(ttl: float) -> None:
    with pytest.raises(InvalidParameter, match=r"^ttl: "):
        new(uuid=UUID, phone=PHONE, code="1234", now=T0, ttl=ttl)


def test_a_start_while_pending_resends_the_same_code_and_expiry() -> None:
    rng = random.Random(7)
    calls: list[int] = []

    def create() -> PhoneVerification:
        calls.append(1)
        code = f"{rng.randrange(10**6):06d}"
        return new(uuid=f"uuid-{len(calls)}", phone=PHONE, code=code, now=now)

    now = T0
    first, resent = start(None, now=now, create=create)
    assert not resent
    now = T0 + 599
    again, resent = start(first, now=now, create=create)
    assert resent
    assert again is first  # same uuid, code and expiry
    assert len(calls) == 1  # nothing drawn for a re-send


def test_a_start_after_expiry_or_verification_makes_a_new_one() -> None:
    first = started("1234")
    replacement = started("5678", now=T0 + 600)
    after_expiry, resent = start(first, now=T0 + 600, create=lambda: replacement)
    assert (after_expiry, resent) == (replacement, False)
    _, verified = check(first, "1234", now=T0 + 1)
    after_check, resent = start(verified, now=T0 + 2, create=lambda: replacement)
    assert (after_check, resent) == (replacement, False)


# --- check ------------------------------------------------------------------------


def test_a_correct_code_consumes_the_verification() -> None:
    outcome, v = check(started("4321"), "4321", now=T0 + 10)
    assert outcome is CheckOutcome.CORRECT
    assert v.status is VerificationStatus.VERIFIED
    assert status_at(v, now=T0 + 10_000) is VerificationStatus.VERIFIED
    assert seconds_to_expire(v, now=T0 + 11) == 0
    # Consumed: the same code again finds nothing pending.
    assert check(v, "4321", now=T0 + 11) == (CheckOutcome.NOT_PENDING, v)


def test_the_fifth_wrong_check_invalidates() -> None:
    v = started("1234")
    for i in range(1, MAX_WRONG_CHECKS):
        outcome, v = check(v, "9999", now=T0 + i)
        assert outcome is CheckOutcome.WRONG
        assert v.wrong_checks == i
        assert is_pending(v, now=T0 + i)
    outcome, v = check(v, "9999", now=T0 + 5)
    assert outcome is CheckOutcome.INVALIDATED
    assert v.status is VerificationStatus.EXPIRED
    assert seconds_to_expire(v, now=T0 + 5) == 0
    # Later checks, even with the right code, find nothing pending.
    assert check(v, "1234", now=T0 + 6) == (CheckOutcome.NOT_PENDING, v)


def test_four_wrong_checks_then_the_right_one_passes() -> None:
    v = started("1234")
    for i in range(MAX_WRONG_CHECKS - 1):
        _, v = check(v, "0000", now=T0 + i)
    outcome, v = check(v, "1234", now=T0 + 10)
    assert outcome is CheckOutcome.CORRECT


@pytest.mark.parametrize("given_code", ["123", "12345", "1234 ", "", "١٢٣٤", "\udc00"])
def test_near_misses_are_wrong(given_code: str) -> None:
    outcome, v = check(started("1234"), given_code, now=T0)
    assert outcome is CheckOutcome.WRONG
    assert v.wrong_checks == 1


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    check(started("1234"), "1235", now=T0)
    assert seen == [(b"1234", b"1235")]


# --- expiry and status ------------------------------------------------------------


def test_expiry_comes_at_600_seconds_by_time_alone() -> None:
    v = started("1234")
    assert status_at(v, now=T0 + 599.999) is VerificationStatus.PENDING
    assert seconds_to_expire(v, now=T0 + 599.999) == 1
    assert status_at(v, now=T0 + 600) is VerificationStatus.EXPIRED
    assert seconds_to_expire(v, now=T0 + 600) == 0
    assert check(v, "1234", now=T0 + 600) == (CheckOutcome.NOT_PENDING, v)


def test_a_wrong_check_keeps_the_expiry() -> None:
    _, v = check(started(), "0000", now=T0 + 100)
    assert v.expires_at == T0 + 600
    assert seconds_to_expire(v, now=T0 + 100) == 500


# --- values -----------------------------------------------------------------------


def test_to_dict_is_plain_and_round_trips_through_json() -> None:
    _, v = check(started("98765"), "0", now=T0 + 1)
    data = v.to_dict()
    assert data == {
        "uuid": UUID,
        "phone": PHONE,
        "code": "98765",
        "created_at": T0,
        "expires_at": T0 + 600,
        "wrong_checks": 1,
        "status": "pending",
    }
    assert PhoneVerification.from_dict(json.loads(json.dumps(data))) == v


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"status": "invalidated"}, "status"),
        ({"wrong_checks": 6}, "wrong_checks"),
        ({"wrong_checks": -1}, "wrong_checks"),
        ({"code": 1234}, "code"),
        ({"uuid": ""}, "uuid"),
        ({"expires_at": None}, "expires_at"),
    ],
)
def test_from_dict_rejects_bad_values(change: dict[str, object], param: str) -> None:
    data = started().to_dict()
    data.update(change)
    with pytest.raises(InvalidParameter, match=rf"^{param}: "):
        PhoneVerification.from_dict(data)


def test_from_dict_names_a_missing_field() -> None:
    data = started().to_dict()
    del data["wrong_checks"]
    with pytest.raises(InvalidParameter, match=r"^wrong_checks: is required"):
        PhoneVerification.from_dict(data)


codes = st.text("0123456789", min_size=4, max_size=10)


@settings(max_examples=200)
@given(
    codes,
    st.lists(st.tuples(st.one_of(codes, st.text(max_size=12)), st.floats(0, 200))),
    st.floats(min_value=0, max_value=4e9),
)
def test_any_sequence_of_checks_follows_the_machine(
    code: str, attempts: list[tuple[str, float]], t0: float
) -> None:
    v = new(uuid=UUID, phone=PHONE, code=code, now=t0)
    now = t0
    for given_code, gap in attempts:
        now += gap
        was_pending = is_pending(v, now=now)
        outcome, after = check(v, given_code, now=now)
        assert PhoneVerification.from_dict(json.loads(json.dumps(after.to_dict()))) == (
            after
        )
        assert after.expires_at == v.expires_at
        if not was_pending:
            assert (outcome, after) == (CheckOutcome.NOT_PENDING, v)
        elif given_code == code:
            assert outcome is CheckOutcome.CORRECT
            assert status_at(after, now=now + 10**6) is VerificationStatus.VERIFIED
        elif v.wrong_checks + 1 == MAX_WRONG_CHECKS:
            assert outcome is CheckOutcome.INVALIDATED
            assert not is_pending(after, now=now)
        else:
            assert outcome is CheckOutcome.WRONG
            assert after.wrong_checks == v.wrong_checks + 1
        v = after
