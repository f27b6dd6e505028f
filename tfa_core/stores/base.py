"""The contract every store keeps, and the helpers the stores share.

A store makes one "read, decide, write" an atomic step on shared state; the rule
it applies is always a pure function of tfa_core (:func:`~tfa_core.ratelimit.hit`,
:func:`~tfa_core.ratelimit.hit_bucket`, the step comparison of
:func:`~tfa_core.otp.verify_totp`), never one of its own. Not done here: any I/O
(each store module does its own), key prefixes (Redis only), codes in clear.

TTLs are real seconds on the store's own clock (the Redis server's; for SQLite and
memory the *clock* given to the store, ``time.time`` and ``time.monotonic`` by
default). They only forget idle keys: every rule uses the ``now`` the caller passes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Literal, Protocol, TypeVar

from ..errors import CorruptValue, InvalidParameter
from ..ratelimit import BucketDecision, Decision, Limit, Rate, WindowState

__all__ = ["AttemptReason", "Store", "Update"]

T = TypeVar("T")
#: ``fn(old or None) -> (new or None, result)``; a new value of None deletes the key.
Update = Callable[[object], "tuple[object, T]"]
AttemptReason = Literal["accepted", "wrong", "replayed", "throttled"]


class Store(Protocol):
    """Atomic operations on shared state, one key each (``attempt``: two keys).

    Every store raises :class:`~tfa_core.errors.StoreUnavailable` when it cannot
    answer (it then decided and accepted nothing) and
    :class:`~tfa_core.errors.CorruptValue` when a key holds something it did not
    write (or holds the value of another operation).
    """

    def hit(self, key: str, limit: Limit, *, now: float, cost: int = 1) -> Decision:
        """:func:`tfa_core.ratelimit.hit` on the window stored under *key*."""
        ...

    def hit_bucket(
        self, key: str, rate: Rate, *, now: float, cost: int = 1
    ) -> BucketDecision:
        """:func:`tfa_core.ratelimit.hit_bucket` on the GCRA state under *key*."""
        ...

    def advance(self, key: str, step: int, *, ttl: float) -> bool:
        """True iff *step* is above the stored step; the stored step becomes *step*.

        The TOTP/HOTP replay guard. A refused step leaves the key as it was.
        """
        ...

    def update(
        self, key: str, fn: Callable[[object], tuple[object, T]], *, ttl: float
    ) -> T:
        """Atomically replace the JSON value under *key* with ``fn(old)[0]``.

        *fn* gets the decoded value or None and returns ``(new, result)``; a new
        value of None deletes the key, and *result* is returned. *fn* may run more
        than once (optimistic stores retry it on a conflict), so it must be pure.
        """
        ...

    def attempt(
        self,
        key: str,
        limit: Limit,
        step_key: str,
        step: int | None,
        *,
        now: float,
        ttl: float,
    ) -> tuple[AttemptReason, int]:
        """One login attempt: ``hit(key, limit)``, then ``advance(step_key, step)``.

        ``("throttled", retry_after)`` when the hit is refused, without looking at
        *step*; else ``("wrong", 0)`` when *step* is None (no code matched),
        ``("accepted", 0)`` when :meth:`advance` takes it, ``("replayed", 0)``
        otherwise. Both keys are one atomic step (on a Redis Cluster they must hash
        to one slot: give them a common ``{hash tag}``).
        """
        ...


# -- argument checks shared by the stores ---------------------------------------------


def check_key(key: object) -> str:
    """*key* itself, or InvalidParameter when it is not a non-empty str."""
    if type(key) is not str or not key:
        raise InvalidParameter(f"key: must be a non-empty str, got {key!r}")
    return key


def check_now(now: object) -> float:
    """*now* as a float; InvalidParameter when it is not a finite number."""
    if (type(now) is float or type(now) is int) and math.isfinite(now):
        return float(now)
    raise InvalidParameter(f"now: must be a finite number, got {now!r}")


def check_cost(limit_max: int, cost: object) -> int:
    """*cost*, or InvalidParameter when it is not an integer from 1 to *limit_max*."""
    if type(cost) is int and 1 <= cost <= limit_max:
        return cost
    raise InvalidParameter(f"cost: must be an integer from 1 to {limit_max}")


def check_step(step: object, name: str = "step") -> int:
    """*step*, or InvalidParameter when it is not an integer at or above 0."""
    if type(step) is int and step >= 0:
        return step
    raise InvalidParameter(f"{name}: must be an integer at or above 0, got {step!r}")


def check_ttl(ttl: object) -> float:
    """*ttl* as float seconds; InvalidParameter unless positive and finite."""
    if (type(ttl) is float or type(ttl) is int) and 0 < ttl < math.inf:
        return float(ttl)
    raise InvalidParameter(f"ttl: must be a positive finite number, got {ttl!r}")


def check_attempt(
    key: str, step_key: str, step: int | None, now: float, ttl: float
) -> tuple[float, float]:
    """The checks of :meth:`Store.attempt`: ``(now, ttl)`` as floats."""
    check_key(key)
    check_key(step_key)
    if step is not None:
        check_step(step)
    return check_now(now), check_ttl(ttl)


# -- TTLs: how long a state can still matter ------------------------------------------


def window_ttl(state: WindowState, window: float, now: float) -> float:
    """Seconds until every event of *state* has left the window (at least 1)."""
    events = state.events
    return max(1.0, events[-1] + window - now) if events else 1.0


def bucket_ttl(tat: float | None, now: float) -> float:
    """Seconds until the bucket is full again (at least 1)."""
    return 1.0 if tat is None else max(1.0, tat - now)


# -- values ---------------------------------------------------------------------------


def encode(value: object, key: str) -> str:
    """The JSON text of an update value; InvalidParameter when it is not JSON-able."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InvalidParameter(f"value: of {key!r} is not JSON-able ({exc})") from None


def decode(text: str | bytes, key: str) -> object:
    """The value in the JSON *text* under *key*; CorruptValue when it is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise CorruptValue(f"{key}: holds a value that is not JSON") from None


def window_events(value: object, key: str) -> WindowState:
    """The window state in a decoded value; CorruptValue when it is not one."""
    try:
        if not isinstance(value, list):
            raise InvalidParameter("events: not a list")
        return WindowState(events=tuple(value))
    except InvalidParameter:
        raise CorruptValue(f"{key}: holds no sliding-window state") from None


def step_value(value: object, key: str) -> int:
    """The step in a decoded value; CorruptValue when it is not one."""
    if type(value) is int and value >= 0:
        return value
    raise CorruptValue(f"{key}: holds no step")


def tat_value(value: object, key: str) -> float:
    """The GCRA arrival time in a decoded value; CorruptValue when it is not one."""
    if (type(value) is float or type(value) is int) and math.isfinite(value):
        return float(value)
    raise CorruptValue(f"{key}: holds no bucket state")
