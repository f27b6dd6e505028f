"""The contract every store keeps (shared/STYLE.md "Stores"), engine by engine."""

from __future__ import annotations

import pytest

from tfa_core import ratelimit
from tfa_core.errors import CorruptValue, InvalidParameter
from tfa_core.ratelimit import BucketState, Limit, Rate, WindowState
from tfa_core.stores import Store

from .conftest import fresh, fresh_pair

NOW = 1_700_000_000.0
LIMIT = Limit(max=3, window=60)


def test_hit_allows_max_then_refuses_with_the_pure_retry_after(store: Store) -> None:
    key = fresh()
    got = [store.hit(key, LIMIT, now=NOW + i) for i in range(4)]
    assert [d.allowed for d in got] == [True, True, True, False]
    assert got[2].state == WindowState(events=(NOW, NOW + 1, NOW + 2))
    expected = ratelimit.hit(LIMIT, got[2].state, now=NOW + 3)
    assert got[3].retry_after == expected.retry_after == 57
    # A refused hit recorded nothing: the first event leaves at NOW + 60.
    assert store.hit(key, LIMIT, now=NOW + 60).allowed
    assert not store.hit(key, LIMIT, now=NOW + 60).allowed


def test_hit_with_a_cost_and_keys_apart(store: Store) -> None:
    key, other = fresh(), fresh()
    assert store.hit(key, LIMIT, now=NOW, cost=3).allowed
    assert not store.hit(key, LIMIT, now=NOW + 1).allowed
    assert store.hit(other, LIMIT, now=NOW + 1).allowed
    with pytest.raises(InvalidParameter, match=r"^cost: "):
        store.hit(key, LIMIT, now=NOW, cost=4)
    with pytest.raises(InvalidParameter, match=r"^cost: "):
        store.hit(key, LIMIT, now=NOW, cost=True)
    with pytest.raises(InvalidParameter, match=r"^now: "):
        store.hit(key, LIMIT, now=float("nan"))
    with pytest.raises(InvalidParameter, match=r"^key: "):
        store.hit("", LIMIT, now=NOW)


def test_a_window_of_hundreds_of_events_decides_as_the_pure_rule(store: Store) -> None:
    # Redis unpacks the events 200 at a time: 450 of them cross two chunk edges.
    key, limit, state = fresh(), Limit(max=450, window=100), WindowState()
    for now, cost in [
        (NOW, 199),
        (NOW + 1, 2),
        (NOW + 2, 240),
        (NOW + 3, 10),
        (NOW + 3, 9),
        (NOW + 100.5, 200),
        (NOW + 101, 3),
    ]:
        expected = ratelimit.hit(limit, state, now=now, cost=cost)
        got = store.hit(key, limit, now=now, cost=cost)
        assert (got.allowed, got.retry_after, got.state) == (
            expected.allowed,
            expected.retry_after,
            expected.state,
        )
        state = expected.state
    assert len(state.events) == 252 and got.allowed


def test_hit_bucket_is_the_pure_gcra(store: Store) -> None:
    key, rate = fresh(), Rate(count=1, period=10, burst=2)
    state = BucketState()
    for now in (NOW, NOW, NOW + 1, NOW + 9.5, NOW + 25):
        expected = ratelimit.hit_bucket(rate, state, now=now)
        got = store.hit_bucket(key, rate, now=now)
        assert (got.allowed, got.retry_after) == (
            expected.allowed,
            expected.retry_after,
        )
        assert got.state.tat == pytest.approx(expected.state.tat, abs=0)
        state = expected.state
    with pytest.raises(InvalidParameter, match=r"^cost: "):
        store.hit_bucket(key, rate, now=NOW, cost=3)


def test_advance_takes_only_a_step_above_the_stored_one(store: Store) -> None:
    key = fresh()
    assert store.advance(key, 56_666_666, ttl=90)
    assert not store.advance(key, 56_666_666, ttl=90)  # the replay
    assert not store.advance(key, 56_666_665, ttl=90)  # an older code
    assert store.advance(key, 56_666_667, ttl=90)
    assert store.advance(fresh(), 0, ttl=90)
    big = 2**64 - 1  # an HOTP counter may be that large (RFC 4226 §5.2)
    assert store.advance(key, big - 1, ttl=90)
    assert store.advance(key, big, ttl=90)
    assert not store.advance(key, big - 1, ttl=90)
    with pytest.raises(InvalidParameter, match=r"^step: "):
        store.advance(key, -1, ttl=90)
    with pytest.raises(InvalidParameter, match=r"^ttl: "):
        store.advance(key, 1, ttl=0)


def test_update_reads_modifies_and_writes_json(store: Store) -> None:
    key = fresh()
    seen: list[object] = []

    def bump(old: object) -> tuple[object, int]:
        seen.append(old)
        count = 0 if old is None else old["n"]  # type: ignore[index]
        return {"n": count + 1, "x": [1.5, "é", None, True]}, count

    assert store.update(key, bump, ttl=60) == 0
    assert store.update(key, bump, ttl=60) == 1
    assert seen[-1] == {"n": 1, "x": [1.5, "é", None, True]}
    assert store.update(key, lambda old: (None, old), ttl=60) == {
        "n": 2,
        "x": [1.5, "é", None, True],
    }
    assert store.update(key, lambda old: (old, old), ttl=60) is None  # deleted


def test_update_writes_nothing_when_fn_raises_or_the_value_is_not_json(
    store: Store,
) -> None:
    key = fresh()
    store.update(key, lambda old: ({"v": 1}, None), ttl=60)

    def boom(old: object) -> tuple[object, None]:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.update(key, boom, ttl=60)
    with pytest.raises(InvalidParameter, match=r"^value: "):
        store.update(key, lambda old: ({"v": object()}, None), ttl=60)
    with pytest.raises(InvalidParameter, match=r"^value: "):
        store.update(key, lambda old: ({"v": float("inf")}, None), ttl=60)
    assert store.update(key, lambda old: (old, old), ttl=60) == {"v": 1}


def test_attempt_counts_then_guards_the_step(store: Store) -> None:
    key, step_key = fresh_pair()
    limit = Limit(max=3, window=60)
    assert store.attempt(key, limit, step_key, None, now=NOW, ttl=90) == ("wrong", 0)
    assert store.attempt(key, limit, step_key, 7, now=NOW, ttl=90) == ("accepted", 0)
    assert store.attempt(key, limit, step_key, 7, now=NOW, ttl=90) == ("replayed", 0)
    # Throttled whatever the step, and the step is not taken: it still passes later.
    assert store.attempt(key, limit, step_key, 8, now=NOW + 1, ttl=90) == (
        "throttled",
        59,
    )
    assert store.attempt(key, limit, step_key, 8, now=NOW + 60, ttl=90) == (
        "accepted",
        0,
    )
    assert not store.advance(step_key, 8, ttl=90)


def test_a_key_of_another_operation_is_corrupt_not_accepted(store: Store) -> None:
    attempts, key = fresh_pair()
    store.update(key, lambda old: ({"v": 1}, None), ttl=60)
    with pytest.raises(CorruptValue, match=key):
        store.hit(key, LIMIT, now=NOW)
    with pytest.raises(CorruptValue, match=key):
        store.advance(key, 5, ttl=60)
    with pytest.raises(CorruptValue, match=key):
        store.attempt(attempts, LIMIT, key, 5, now=NOW, ttl=60)
    step_key = fresh()
    store.advance(step_key, 5, ttl=60)
    with pytest.raises(CorruptValue, match=step_key):
        store.update(step_key, lambda old: (old, old), ttl=60)
    with pytest.raises(CorruptValue, match=step_key):
        store.hit_bucket(step_key, Rate(count=1, period=1), now=NOW)
