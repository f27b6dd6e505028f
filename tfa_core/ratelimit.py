"""Rate limits as pure functions over a state value.

Two strategies, each a function from (limit, state, now) to a decision:

* a sliding window, exact at its edges (API.md §6): :func:`hit` refuses when the
  events in ``(now - window, now]`` already number ``max``; ``retry_after`` is the
  whole number of seconds until enough old events have left the window. The state
  is the sorted tuple of the instants the window still counts.
* GCRA, a token bucket without a timer, for smooth rates: :func:`hit_bucket`; the
  state is one number, the theoretical arrival time.

Pure: no clock, no storage, no locks, no background work. The caller passes ``now``
(float Unix seconds), keeps the returned state where it likes (``to_dict`` and
``from_dict`` give plain JSON-able dicts for SQL or Redis) and serialises the hits
on one key itself. Not done here: key naming, storage, forgetting idle keys.

Time should not run backwards for one key. If it does (a mock clock set back),
events after ``now`` are kept but not counted, as the rule says, and
``retry_after`` may then be too short.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from math import ceil
from typing import Any

from .errors import InvalidParameter

__all__ = [
    "BucketDecision",
    "BucketState",
    "Decision",
    "Limit",
    "Rate",
    "WindowState",
    "check",
    "hit",
    "hit_bucket",
    "record",
]


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_seconds(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and 0 < value < math.inf
    )


def _is_instant(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _mapping(data: object, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidParameter(f"{what}: must be a mapping")
    return data


def _required(data: Mapping[str, Any], name: str) -> Any:
    if name not in data:
        raise InvalidParameter(f"{name}: is required")
    return data[name]


@dataclass(frozen=True, slots=True, kw_only=True)
class Limit:
    """At most ``max`` events in any window of ``window`` seconds."""

    max: int
    window: float

    def __post_init__(self) -> None:
        if not _is_count(self.max):
            raise InvalidParameter("max: must be a positive integer")
        if not _is_seconds(self.window):
            raise InvalidParameter("window: must be a positive finite number")

    def to_dict(self) -> dict[str, object]:
        """``{"max": ..., "window": ...}``, the shape of API.md §7.4."""
        return {"max": self.max, "window": self.window}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Limit:
        """The inverse of :meth:`to_dict`; raises InvalidParameter on bad input."""
        data = _mapping(data, "limit")
        return cls(max=_required(data, "max"), window=_required(data, "window"))


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowState:
    """The instants of the events a window may still count, oldest first."""

    events: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        events = self.events
        if not isinstance(events, tuple) or not all(map(_is_instant, events)):
            raise InvalidParameter("events: must be a tuple of finite numbers")
        if any(a > b for a, b in pairwise(events)):
            raise InvalidParameter("events: must be sorted, oldest first")

    def to_dict(self) -> dict[str, object]:
        """``{"events": [...]}`` with the instants oldest first."""
        return {"events": list(self.events)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WindowState:
        """The inverse of :meth:`to_dict`; raises InvalidParameter on bad input."""
        events = _mapping(data, "state").get("events")
        if not isinstance(events, (list, tuple)):
            raise InvalidParameter("events: must be a list of finite numbers")
        return cls(events=tuple(events))


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The outcome of a sliding-window hit or check.

    ``state`` is what to store next; ``retry_after`` is 0 when allowed, else the
    whole seconds (at least 1) after which the same hit would pass.
    """

    allowed: bool
    state: WindowState
    retry_after: int


# hit() is the hot path: a frozen dataclass __init__ sets each field through
# object.__setattr__, which costs about 2.5 times as much as filling the slots
# directly. The states built here are sorted by construction, so skipping
# __post_init__ is safe.
_new = object.__new__
_ONE = 1
_set_events: Callable[[WindowState, tuple[float, ...]], None]
_set_events = WindowState.__dict__["events"].__set__
_set_allowed: Callable[[Decision, bool], None]
_set_allowed = Decision.__dict__["allowed"].__set__
_set_state: Callable[[Decision, WindowState], None]
_set_state = Decision.__dict__["state"].__set__
_set_retry: Callable[[Decision, int], None]
_set_retry = Decision.__dict__["retry_after"].__set__


def _window_state(events: tuple[float, ...]) -> WindowState:
    state: WindowState = _new(WindowState)
    _set_events(state, events)
    return state


def _decision(allowed: bool, state: WindowState, retry_after: int) -> Decision:
    decision: Decision = _new(Decision)
    _set_allowed(decision, allowed)
    _set_state(decision, state)
    _set_retry(decision, retry_after)
    return decision


def _window_retry(oldest: float, window: float, now: float) -> int:
    """Least whole r >= 1 such that *oldest* is out of the window at ``now + r``.

    API.md §6: ceil(oldest + window - now), at least 1. Then nudged so that the
    float test :func:`hit` makes at ``now + r`` (``oldest <= now + r - window``)
    agrees: a hit at ``now + r`` passes and one at ``now + (r - 1)`` does not.
    The nudge is at most a step or two for any time below 2**52 seconds.
    """
    r = max(1, math.ceil(oldest + window - now))
    for _ in range(4):
        if oldest <= now + r - window:
            break
        r += 1
    for _ in range(4):
        if r == 1 or oldest > now + (r - 1) - window:
            break
        r -= 1
    return r


def _check_cost(limit: Limit, cost: int) -> None:
    if not _is_count(cost) or cost > limit.max:
        raise InvalidParameter(f"cost: must be an integer from 1 to {limit.max}")


def _decide(
    limit: Limit, state: WindowState, now: float, cost: int, keep: bool
) -> Decision:
    """The general case of :func:`hit` (``keep``) and :func:`check`."""
    _check_cost(limit, cost)
    events = state.events
    lo = bisect_right(events, now - limit.window)
    hi = bisect_right(events, now) if events and events[-1] > now else len(events)
    count = hi - lo
    if count + cost <= limit.max:
        new = events[lo:hi] + (now,) * cost + events[hi:] if keep else events[lo:]
        return _decision(True, _window_state(new), 0)
    # The (count + cost - max)-th oldest counted event must leave first.
    oldest = events[lo + count + cost - limit.max - 1]
    retry = _window_retry(oldest, limit.window, now)
    if keep:
        return _decision(False, state, retry)  # a refused hit changes nothing
    return _decision(False, state if lo == 0 else _window_state(events[lo:]), retry)


def hit(limit: Limit, state: WindowState, *, now: float, cost: int = 1) -> Decision:
    """Decide a hit of ``cost`` events at *now* and record it when allowed.

    Allowed when the events in ``(now - window, now]`` plus *cost* number at most
    ``max``. An allowed hit returns the pruned state with *cost* events at *now*;
    a refused hit returns *state* itself. Raises InvalidParameter when *cost* is
    not an integer from 1 to ``max``.
    """
    events = state.events
    # Identity, not equality: True and 1.0 equal 1 but must take the validating
    # path. CPython keeps one int 1; elsewhere the general path is merely slower.
    if cost is not _ONE or (events and events[-1] > now):
        return _decide(limit, state, now, cost, True)
    # Fast path for the common case: one event, time not running backwards.
    lo = bisect_right(events, now - limit.window)
    if len(events) - lo < limit.max:
        new_state: WindowState = _new(WindowState)
        # Concatenation beats (*events[lo:], now) here by about 20%.
        _set_events(new_state, events[lo:] + (now,))  # noqa: RUF005
        decision: Decision = _new(Decision)
        _set_allowed(decision, True)
        _set_state(decision, new_state)
        _set_retry(decision, 0)
        return decision
    # Refused: API.md §6 retry_after, checked against the float test hit() makes.
    oldest = events[len(events) - limit.max]
    window = limit.window
    retry = ceil(oldest + window - now)
    if (
        retry < 1
        or oldest > now + retry - window
        or (retry > 1 and oldest <= now + (retry - 1) - window)
    ):
        retry = _window_retry(oldest, window, now)
    refusal: Decision = _new(Decision)
    _set_allowed(refusal, False)
    _set_state(refusal, state)
    _set_retry(refusal, retry)
    return refusal


def check(limit: Limit, state: WindowState, *, now: float, cost: int = 1) -> Decision:
    """Decide like :func:`hit` but never record; the returned state is pruned.

    For limits on failures (API.md §6 ``verify_failures``): check before the
    attempt, :func:`record` only when it fails.
    """
    return _decide(limit, state, now, cost, False)


def record(
    limit: Limit, state: WindowState, *, now: float, cost: int = 1
) -> WindowState:
    """Record *cost* events at *now* whatever the count; returns the pruned state."""
    if not _is_count(cost):
        raise InvalidParameter("cost: must be a positive integer")
    events = state.events
    lo = bisect_right(events, now - limit.window)
    hi = bisect_right(events, now)
    return _window_state(events[lo:hi] + (now,) * cost + events[hi:])


@dataclass(frozen=True, slots=True, kw_only=True)
class Rate:
    """``count`` events per ``period`` seconds, evenly spaced; bursts up to ``burst``.

    GCRA: one event is allowed every ``period / count`` seconds, and a key that has
    been idle may spend ``burst`` at once.
    """

    count: int
    period: float
    burst: int = 1

    def __post_init__(self) -> None:
        if not _is_count(self.count):
            raise InvalidParameter("count: must be a positive integer")
        if not _is_seconds(self.period):
            raise InvalidParameter("period: must be a positive finite number")
        if not _is_count(self.burst):
            raise InvalidParameter("burst: must be a positive integer")

    @property
    def interval(self) -> float:
        """Seconds between two events at the steady rate."""
        return self.period / self.count

    def to_dict(self) -> dict[str, object]:
        """``{"count": ..., "period": ..., "burst": ...}``."""
        return {"count": self.count, "period": self.period, "burst": self.burst}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rate:
        """The inverse of :meth:`to_dict`; raises InvalidParameter on bad input."""
        data = _mapping(data, "rate")
        return cls(
            count=_required(data, "count"),
            period=_required(data, "period"),
            burst=data.get("burst", 1),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BucketState:
    """GCRA state: the theoretical arrival time, ``None`` for a key never hit."""

    tat: float | None = None

    def __post_init__(self) -> None:
        if self.tat is not None and not _is_instant(self.tat):
            raise InvalidParameter("tat: must be a finite number or None")

    def to_dict(self) -> dict[str, object]:
        """``{"tat": <float or None>}``."""
        return {"tat": self.tat}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BucketState:
        """The inverse of :meth:`to_dict`; raises InvalidParameter on bad input."""
        return cls(tat=_mapping(data, "state").get("tat"))


@dataclass(frozen=True, slots=True, kw_only=True)
class BucketDecision:
    """The outcome of :func:`hit_bucket`; ``retry_after`` as in :class:`Decision`."""

    allowed: bool
    state: BucketState
    retry_after: int


def hit_bucket(
    rate: Rate, state: BucketState, *, now: float, cost: int = 1
) -> BucketDecision:
    """Decide a hit of ``cost`` events at *now* under GCRA; record it when allowed.

    Allowed when the theoretical arrival time is at most ``interval * (burst -
    cost)`` ahead of *now*. A refused hit returns *state* itself. Raises
    InvalidParameter when *cost* is not an integer from 1 to ``burst``.
    """
    if not _is_count(cost) or cost > rate.burst:
        raise InvalidParameter(f"cost: must be an integer from 1 to {rate.burst}")
    interval = rate.interval
    slack = interval * (rate.burst - cost)
    tat = state.tat
    if tat is None or tat < now:
        tat = now
    if tat - now <= slack:
        return BucketDecision(
            allowed=True, state=BucketState(tat=tat + interval * cost), retry_after=0
        )
    # Least whole r >= 1 with the same test passing at now + r (tat is then the
    # larger of the two, or the test passes trivially).
    r = max(1, math.ceil(tat - slack - now))
    for _ in range(4):
        if tat - (now + r) <= slack:
            break
        r += 1
    for _ in range(4):
        if r == 1 or tat - (now + (r - 1)) > slack:
            break
        r -= 1
    return BucketDecision(allowed=False, state=state, retry_after=r)
