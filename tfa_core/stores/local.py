"""The operations of the stores that decide in Python, inside one transaction.

:class:`~tfa_core.stores.MemoryStore` (a lock) and
:class:`~tfa_core.stores.SQLiteStore` (``BEGIN IMMEDIATE``) differ only in how a
transaction reads and writes a key; here is what they do inside it, which is to
call the pure functions of tfa_core. Not done here: locking, I/O, expiry clocks.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Literal, Protocol, TypeVar

from .. import ratelimit
from ..errors import CorruptValue
from ..ratelimit import BucketDecision, BucketState, Decision, Limit, Rate, WindowState
from .base import (
    AttemptReason,
    bucket_ttl,
    check_attempt,
    check_cost,
    check_key,
    check_now,
    check_step,
    check_ttl,
    window_ttl,
)

__all__ = ["Kind", "LocalStore", "Transaction"]

T = TypeVar("T")
#: What a key holds: a sliding window, a GCRA arrival time, a step, a JSON value.
Kind = Literal["window", "bucket", "step", "json"]
_EMPTY = WindowState()


class Transaction(Protocol):
    """Reads and writes of one atomic step; a key of another kind is corrupt."""

    def get(self, key: str, kind: Kind) -> object | None:
        """The live value under *key* (a WindowState, float, int or JSON value)."""
        ...

    def put(self, key: str, kind: Kind, value: object, ttl: float) -> None:
        """Store *value* under *key* for *ttl* seconds."""
        ...

    def delete(self, key: str) -> None:
        """Forget *key*."""
        ...


def corrupt(key: str, held: str, kind: Kind) -> CorruptValue:
    """The error for a key that holds a *held* value where *kind* was expected."""
    return CorruptValue(f"{key}: holds a {held} value, not a {kind} value")


class LocalStore:
    """The :class:`~tfa_core.stores.Store` operations over :meth:`transaction`."""

    def transaction(self) -> AbstractContextManager[Transaction]:
        """One atomic step; commits on exit, rolls back on an exception."""
        raise NotImplementedError

    def _hit(
        self, tx: Transaction, key: str, limit: Limit, now: float, cost: int
    ) -> Decision:
        state = tx.get(key, "window")
        assert state is None or isinstance(state, WindowState)
        decision = ratelimit.hit(limit, state or _EMPTY, now=now, cost=cost)
        if decision.allowed:
            new = decision.state
            tx.put(key, "window", new, window_ttl(new, limit.window, now))
        return decision

    def _advance(self, tx: Transaction, key: str, step: int, ttl: float) -> bool:
        old = tx.get(key, "step")
        assert old is None or isinstance(old, int)
        if old is not None and step <= old:
            return False
        tx.put(key, "step", step, ttl)
        return True

    def hit(self, key: str, limit: Limit, *, now: float, cost: int = 1) -> Decision:
        """:func:`tfa_core.ratelimit.hit` on the window stored under *key*."""
        check_key(key)
        check_cost(limit.max, cost)
        now = check_now(now)
        with self.transaction() as tx:
            return self._hit(tx, key, limit, now, cost)

    def hit_bucket(
        self, key: str, rate: Rate, *, now: float, cost: int = 1
    ) -> BucketDecision:
        """:func:`tfa_core.ratelimit.hit_bucket` on the GCRA state under *key*."""
        check_key(key)
        check_cost(rate.burst, cost)
        now = check_now(now)
        with self.transaction() as tx:
            tat = tx.get(key, "bucket")
            assert tat is None or isinstance(tat, float)
            decision = ratelimit.hit_bucket(
                rate, BucketState(tat=tat), now=now, cost=cost
            )
            if decision.allowed:
                new = decision.state.tat
                tx.put(key, "bucket", new, bucket_ttl(new, now))
            return decision

    def advance(self, key: str, step: int, *, ttl: float) -> bool:
        """True iff *step* is above the stored step; the stored step becomes *step*."""
        check_key(key)
        step = check_step(step)
        ttl = check_ttl(ttl)
        with self.transaction() as tx:
            return self._advance(tx, key, step, ttl)

    def update(
        self, key: str, fn: Callable[[object], tuple[object, T]], *, ttl: float
    ) -> T:
        """Atomically replace the JSON value under *key* with ``fn(old)[0]``."""
        check_key(key)
        ttl = check_ttl(ttl)
        with self.transaction() as tx:
            new, result = fn(tx.get(key, "json"))
            if new is None:
                tx.delete(key)
            else:
                tx.put(key, "json", new, ttl)
            return result

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
        """One login attempt: ``hit(key, limit)``, then ``advance(step_key, step)``."""
        now, ttl = check_attempt(key, step_key, step, now, ttl)
        with self.transaction() as tx:
            decision = self._hit(tx, key, limit, now, 1)
            if not decision.allowed:
                return "throttled", decision.retry_after
            if step is None:
                return "wrong", 0
            return (
                ("accepted", 0)
                if self._advance(tx, step_key, step, ttl)
                else ("replayed", 0)
            )
