"""hypothesis: any sequence of hits through any store decides as the pure functions.

``ratelimit.hit`` and ``hit_bucket`` are the oracle; on Redis they check the Lua
restatement of the rule, decision by decision, ``retry_after`` and state included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tfa_core import ratelimit
from tfa_core.ratelimit import BucketState, Limit, Rate, WindowState
from tfa_core.stores import Store

from .conftest import fresh, fresh_pair

BASE = 1_700_000_000.0
# Steps of time: mostly forward, sometimes standing still, sometimes backwards.
deltas = st.one_of(
    st.just(0.0),
    st.floats(min_value=-5.0, max_value=40.0, allow_nan=False),
    st.integers(min_value=0, max_value=100).map(float),
)
windows = st.one_of(
    st.floats(min_value=0.25, max_value=120.0), st.integers(min_value=1, max_value=90)
)


def same_decisions(
    pure: Callable[[Any, float, int], Any],
    stored: Callable[[float, int], Any],
    state: object,
    hits: list[tuple[float, int]],
    most: int,
) -> None:
    """Drive *hits* through the pure rule and the store; every decision agrees."""
    now = BASE
    for delta, cost in hits:
        now += delta
        cost = min(cost, most)
        expected = pure(state, now, cost)
        got = stored(now, cost)
        assert (got.allowed, got.retry_after, got.state) == (
            expected.allowed,
            expected.retry_after,
            expected.state,
        )
        state = expected.state


@settings(max_examples=60)
@given(
    max_=st.integers(min_value=1, max_value=6),
    window=windows,
    hits=st.lists(st.tuples(deltas, st.integers(1, 6)), min_size=1, max_size=25),
)
def test_hit_decides_as_the_pure_window(
    store: Store, max_: int, window: float, hits: list[tuple[float, int]]
) -> None:
    limit, key = Limit(max=max_, window=window), fresh()
    same_decisions(
        lambda state, now, cost: ratelimit.hit(limit, state, now=now, cost=cost),
        lambda now, cost: store.hit(key, limit, now=now, cost=cost),
        WindowState(),
        hits,
        max_,
    )


@settings(max_examples=60)
@given(
    count=st.integers(min_value=1, max_value=5),
    period=windows,
    burst=st.integers(min_value=1, max_value=5),
    hits=st.lists(st.tuples(deltas, st.integers(1, 5)), min_size=1, max_size=25),
)
def test_hit_bucket_decides_as_the_pure_gcra(
    store: Store, count: int, period: float, burst: int, hits: list[tuple[float, int]]
) -> None:
    rate, key = Rate(count=count, period=period, burst=burst), fresh()
    same_decisions(
        lambda state, now, cost: ratelimit.hit_bucket(rate, state, now=now, cost=cost),
        lambda now, cost: store.hit_bucket(key, rate, now=now, cost=cost),
        BucketState(),
        hits,
        burst,
    )


@settings(max_examples=60)
@given(
    max_=st.integers(min_value=1, max_value=4),
    tries=st.lists(
        st.tuples(deltas, st.one_of(st.none(), st.integers(0, 6))), max_size=20
    ),
)
def test_attempt_is_the_pure_hit_then_the_step_guard(
    store: Store, max_: int, tries: list[tuple[float, int | None]]
) -> None:
    limit = Limit(max=max_, window=30)
    (key, step_key), state, last, now = fresh_pair(), WindowState(), None, BASE
    for delta, step in tries:
        now += delta
        decision = ratelimit.hit(limit, state, now=now)
        if not decision.allowed:
            expected = ("throttled", decision.retry_after)
        else:
            state = decision.state
            if step is None:
                expected = ("wrong", 0)
            elif last is not None and step <= last:
                expected = ("replayed", 0)
            else:
                expected, last = ("accepted", 0), step
        assert store.attempt(key, limit, step_key, step, now=now, ttl=90) == expected
