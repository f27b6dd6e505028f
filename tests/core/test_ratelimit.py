"""tfa_core.ratelimit: the sliding window of API.md §6 and the GCRA bucket."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfa_core.errors import InvalidParameter
from tfa_core.ratelimit import (
    BucketState,
    Decision,
    Limit,
    Rate,
    WindowState,
    check,
    hit,
    hit_bucket,
    record,
)

T0 = 1_700_000_000.0
EMPTY = WindowState()


def hits(limit: Limit, times: list[float]) -> tuple[WindowState, list[Decision]]:
    """Hit once at each time, keeping the state as a caller would."""
    state = EMPTY
    decisions = []
    for now in times:
        decision = hit(limit, state, now=now)
        decisions.append(decision)
        state = decision.state
    return state, decisions


# --- API.md §6, by example -------------------------------------------------------


def test_the_sixth_send_in_the_window_is_refused() -> None:
    limit = Limit(max=5, window=600)
    state, decisions = hits(limit, [T0 + i for i in range(6)])
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.retry_after for d in decisions[:5]] == [0] * 5
    # ceil(oldest counted event + window - now) = ceil(T0 + 600 - (T0 + 5))
    assert decisions[5].retry_after == 595
    assert state.events == tuple(T0 + i for i in range(5))


def test_the_eleventh_verify_after_ten_failures_is_refused() -> None:
    limit = Limit(max=10, window=600)
    state = EMPTY
    for i in range(10):
        assert check(limit, state, now=T0 + i).allowed
        state = record(limit, state, now=T0 + i)  # the verify failed
    refused = check(limit, state, now=T0 + 30)
    assert not refused.allowed
    assert refused.retry_after == 570


def test_the_window_is_open_at_its_old_edge() -> None:
    # Events in (now - window, now] count: at exactly T0 + 600 the event at T0 is out.
    limit = Limit(max=1, window=600)
    state, _ = hits(limit, [T0])
    assert not hit(limit, state, now=T0 + 599.5).allowed
    assert hit(limit, state, now=T0 + 600).allowed


def test_retry_after_rounds_up_and_is_at_least_one() -> None:
    limit = Limit(max=1, window=10)
    state, _ = hits(limit, [T0])
    assert hit(limit, state, now=T0 + 0.25).retry_after == 10
    assert hit(limit, state, now=T0 + 9.75).retry_after == 1
    sub_second = Limit(max=1, window=0.5)
    state, _ = hits(sub_second, [T0])
    assert hit(sub_second, state, now=T0 + 0.1).retry_after == 1


@pytest.mark.parametrize(
    ("oldest", "window", "now", "retry"),
    [
        # 2.2 - 1.2 is 1.0000000000000002 in floats: a plain ceil says 2, yet the
        # hit at 1.2 + 1 already passes.
        (0.0, 2.2, 1.2, 1),
        # 0.1 + 1.3 - 0.4 rounds to exactly 1.0, yet at 0.4 + 1 the event still
        # counts: a plain ceil says 1, the hit passes only at 0.4 + 2.
        (0.1, 1.3, 0.4, 2),
    ],
)
def test_retry_after_agrees_with_the_float_test_of_hit(
    oldest: float, window: float, now: float, retry: int
) -> None:
    limit = Limit(max=1, window=window)
    state = WindowState(events=(oldest,))
    refused = hit(limit, state, now=now)
    assert refused.retry_after == retry
    assert hit(limit, state, now=now + retry).allowed
    if retry > 1:
        assert not hit(limit, state, now=now + (retry - 1)).allowed


def test_a_refused_hit_returns_the_state_it_was_given() -> None:
    limit = Limit(max=2, window=60)
    state, _ = hits(limit, [T0, T0 + 1])
    refused = hit(limit, state, now=T0 + 2)
    assert not refused.allowed
    assert refused.state is state


def test_an_allowed_hit_prunes_events_that_left_the_window() -> None:
    limit = Limit(max=3, window=10)
    state, _ = hits(limit, [T0, T0 + 5, T0 + 12])
    assert state.events == (T0 + 5, T0 + 12)


def test_same_instant_hits_each_count() -> None:
    limit = Limit(max=3, window=1)
    _, decisions = hits(limit, [T0] * 4)
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[3].retry_after == 1


# --- cost -------------------------------------------------------------------------


def test_cost_is_allowed_while_count_plus_cost_fits() -> None:
    limit = Limit(max=5, window=100)
    state, _ = hits(limit, [T0, T0 + 10])
    allowed = hit(limit, state, now=T0 + 20, cost=3)
    assert allowed.allowed
    assert allowed.state.events == (T0, T0 + 10, T0 + 20, T0 + 20, T0 + 20)
    assert not hit(limit, allowed.state, now=T0 + 30).allowed


def test_cost_retry_after_waits_for_enough_old_events() -> None:
    limit = Limit(max=5, window=100)
    state, _ = hits(limit, [T0, T0 + 10, T0 + 20, T0 + 30])
    # 4 counted + 3 > 5: the two oldest must leave; the second leaves at T0 + 110.
    refused = hit(limit, state, now=T0 + 40, cost=3)
    assert not refused.allowed
    assert refused.retry_after == 70
    assert not hit(limit, state, now=T0 + 109, cost=3).allowed
    assert hit(limit, state, now=T0 + 110, cost=3).allowed


@pytest.mark.parametrize("cost", [0, -1, 6, True, 1.0])
def test_cost_outside_one_to_max_is_misuse(cost: int) -> None:
    limit = Limit(max=5, window=10)
    with pytest.raises(InvalidParameter, match=r"^cost: "):
        hit(limit, EMPTY, now=T0, cost=cost)
    with pytest.raises(InvalidParameter, match=r"^cost: "):
        check(limit, EMPTY, now=T0, cost=cost)


def test_record_takes_any_positive_cost_and_refuses_zero() -> None:
    limit = Limit(max=2, window=10)
    assert len(record(limit, EMPTY, now=T0, cost=3).events) == 3
    with pytest.raises(InvalidParameter, match=r"^cost: "):
        record(limit, EMPTY, now=T0, cost=0)


# --- check and record -------------------------------------------------------------


def test_check_never_records_but_prunes() -> None:
    limit = Limit(max=2, window=10)
    state, _ = hits(limit, [T0, T0 + 8])
    decision = check(limit, state, now=T0 + 15)
    assert decision.allowed
    assert decision.state.events == (T0 + 8,)
    refused = check(limit, WindowState(events=(T0, T0 + 1)), now=T0 + 2)
    assert not refused.allowed
    assert refused.retry_after == 8


def test_record_counts_beyond_max_and_retry_waits_for_the_excess() -> None:
    limit = Limit(max=2, window=10)
    state = EMPTY
    for i in range(4):
        state = record(limit, state, now=T0 + i)
    assert len(state.events) == 4
    # 4 counted: three must leave before one more fits; the third leaves at T0 + 12.
    refused = check(limit, state, now=T0 + 4)
    assert refused.retry_after == 8
    assert not check(limit, state, now=T0 + 11).allowed
    assert check(limit, state, now=T0 + 12).allowed


# --- time running backwards -------------------------------------------------------


def test_events_after_now_are_kept_but_not_counted() -> None:
    # API.md §6 counts (now - window, now]; a clock set back sees a fresh window.
    limit = Limit(max=1, window=100)
    state, _ = hits(limit, [T0 + 50])
    earlier = hit(limit, state, now=T0)
    assert earlier.allowed
    assert earlier.state.events == (T0, T0 + 50)
    assert not hit(limit, earlier.state, now=T0 + 60).allowed
    assert record(limit, state, now=T0).events == (T0, T0 + 50)


# --- values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"max": 0, "window": 1}, "max"),
        ({"max": True, "window": 1}, "max"),
        ({"max": 1.5, "window": 1}, "max"),
        ({"max": 1, "window": 0}, "window"),
        ({"max": 1, "window": -1}, "window"),
        ({"max": 1, "window": math.inf}, "window"),
        ({"max": 1, "window": math.nan}, "window"),
        ({"max": 1, "window": "60"}, "window"),
    ],
)
def test_limit_rejects_bad_values(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidParameter, match=rf"^{param}: "):
        Limit(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "events",
    [[1.0, 2.0], (2.0, 1.0), (1.0, math.nan), (1.0, math.inf), (True,), ("1",)],
)
def test_window_state_rejects_bad_events(events: object) -> None:
    with pytest.raises(InvalidParameter, match=r"^events: "):
        WindowState(events=events)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data", [{}, {"events": None}, {"events": "1"}, {"events": [2, 1]}, [1.0]]
)
def test_window_state_from_dict_rejects_bad_input(data: object) -> None:
    with pytest.raises(InvalidParameter):
        WindowState.from_dict(data)  # type: ignore[arg-type]


def test_limit_and_rate_round_trip_through_dicts() -> None:
    limit = Limit(max=100, window=1)
    assert limit.to_dict() == {"max": 100, "window": 1}
    assert Limit.from_dict(json.loads(json.dumps(limit.to_dict()))) == limit
    rate = Rate(count=10, period=60.0, burst=3)
    assert Rate.from_dict(json.loads(json.dumps(rate.to_dict()))) == rate
    assert Rate.from_dict({"count": 1, "period": 2}) == Rate(count=1, period=2)
    with pytest.raises(InvalidParameter, match=r"^window: is required"):
        Limit.from_dict({"max": 1})


finite_times = st.floats(min_value=0, max_value=4e9, allow_nan=False)


@settings(max_examples=200)
@given(st.lists(finite_times, max_size=20))
def test_window_state_round_trips_through_json(times: list[float]) -> None:
    state = WindowState(events=tuple(sorted(times)))
    again = WindowState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    assert again.to_dict() == state.to_dict()


@settings(max_examples=200)
@given(st.one_of(st.none(), finite_times))
def test_bucket_state_round_trips_through_json(tat: float | None) -> None:
    state = BucketState(tat=tat)
    assert BucketState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


# --- properties of the sliding window ---------------------------------------------

gaps = st.one_of(
    st.just(0.0),
    st.integers(min_value=0, max_value=30).map(float),
    st.floats(min_value=0, max_value=30, allow_nan=False),
)


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[Limit, list[tuple[float, int]]]:
    """A limit and a non-decreasing sequence of (time, cost) hits."""
    max_ = draw(st.integers(min_value=1, max_value=6))
    window = draw(
        st.one_of(
            st.integers(min_value=1, max_value=20).map(float),
            st.floats(min_value=0.1, max_value=20, allow_nan=False),
        )
    )
    now = draw(st.floats(min_value=0, max_value=2e9, allow_nan=False))
    steps = []
    for gap in draw(st.lists(gaps, min_size=1, max_size=40)):
        now += gap
        steps.append((now, draw(st.integers(min_value=1, max_value=max_))))
    return Limit(max=max_, window=window), steps


@settings(max_examples=300)
@given(scenarios())
def test_no_window_ever_admits_more_than_max(
    scenario: tuple[Limit, list[tuple[float, int]]],
) -> None:
    limit, steps = scenario
    state = EMPTY
    allowed: list[tuple[float, int]] = []
    for now, cost in steps:
        decision = hit(limit, state, now=now, cost=cost)
        if decision.allowed:
            allowed.append((now, cost))
            state = decision.state
    # Any window (a, a + window] holding admitted hits lies within the window that
    # ends at its newest admitted hit, so checking those windows covers all.
    for end, _ in allowed:
        start = end - limit.window
        assert sum(c for t, c in allowed if start < t <= end) <= limit.max


@settings(max_examples=300)
@given(scenarios())
def test_refusals_change_nothing_and_retry_after_is_exact(
    scenario: tuple[Limit, list[tuple[float, int]]],
) -> None:
    limit, steps = scenario
    state = EMPTY
    for now, cost in steps:
        decision = hit(limit, state, now=now, cost=cost)
        probe = check(limit, state, now=now, cost=cost)
        assert (probe.allowed, probe.retry_after) == (
            decision.allowed,
            decision.retry_after,
        )
        if decision.allowed:
            assert decision.retry_after == 0
            state = decision.state
            continue
        assert decision.state is state
        retry = decision.retry_after
        assert retry >= 1
        assert hit(limit, state, now=now + retry, cost=cost).allowed
        if retry > 1:
            assert not hit(limit, state, now=now + (retry - 1), cost=cost).allowed


# --- GCRA -------------------------------------------------------------------------


def test_bucket_allows_a_burst_then_one_per_interval() -> None:
    rate = Rate(count=1, period=10, burst=3)
    state = BucketState()
    for _ in range(3):
        decision = hit_bucket(rate, state, now=T0)
        assert decision.allowed
        state = decision.state
    refused = hit_bucket(rate, state, now=T0)
    assert not refused.allowed
    assert refused.state is state
    assert refused.retry_after == 10
    assert not hit_bucket(rate, state, now=T0 + 9.9).allowed
    assert hit_bucket(rate, state, now=T0 + 10).allowed


def test_bucket_first_hit_passes_whatever_the_float_rounding() -> None:
    rate = Rate(count=10, period=1)  # interval 0.1: 1.1 - 0.1 != 1.0 in floats
    assert hit_bucket(rate, BucketState(), now=1.0).allowed


@pytest.mark.parametrize("cost", [0, 4, True])
def test_bucket_cost_outside_one_to_burst_is_misuse(cost: int) -> None:
    with pytest.raises(InvalidParameter, match=r"^cost: "):
        hit_bucket(Rate(count=1, period=1, burst=3), BucketState(), now=T0, cost=cost)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"count": 0, "period": 1}, "count"),
        ({"count": 1, "period": 0}, "period"),
        ({"count": 1, "period": 1, "burst": 0}, "burst"),
    ],
)
def test_rate_rejects_bad_values(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidParameter, match=rf"^{param}: "):
        Rate(**kwargs)  # type: ignore[arg-type]


@st.composite
def bucket_scenarios(draw: st.DrawFn) -> tuple[Rate, list[tuple[float, int]]]:
    """A rate and a non-decreasing sequence of (time, cost) hits."""
    burst = draw(st.integers(min_value=1, max_value=5))
    rate = Rate(
        count=draw(st.integers(min_value=1, max_value=10)),
        period=draw(st.floats(min_value=0.1, max_value=30, allow_nan=False)),
        burst=burst,
    )
    now = draw(st.floats(min_value=0, max_value=2e9, allow_nan=False))
    steps = []
    for gap in draw(st.lists(gaps, min_size=1, max_size=40)):
        now += gap
        steps.append((now, draw(st.integers(min_value=1, max_value=burst))))
    return rate, steps


@settings(max_examples=300)
@given(bucket_scenarios())
def test_bucket_admits_at_most_burst_plus_the_rate(
    scenario: tuple[Rate, list[tuple[float, int]]],
) -> None:
    rate, steps = scenario
    state = BucketState()
    allowed: list[tuple[float, int]] = []
    for now, cost in steps:
        decision = hit_bucket(rate, state, now=now, cost=cost)
        if not decision.allowed:
            assert decision.state is state
            retry = decision.retry_after
            assert retry >= 1
            assert hit_bucket(rate, state, now=now + retry, cost=cost).allowed
            if retry > 1:
                later = now + (retry - 1)
                assert not hit_bucket(rate, state, now=later, cost=cost).allowed
            continue
        allowed.append((now, cost))
        state = decision.state
    # GCRA: the cost admitted in [a, b] is at most burst + (b - a) / interval.
    for i, (first, _) in enumerate(allowed):
        for last, _ in allowed[i:]:
            admitted = sum(c for t, c in allowed if first <= t <= last)
            bound = rate.burst + (last - first) / rate.interval
            assert admitted <= bound + 1e-6 * max(1.0, bound)
