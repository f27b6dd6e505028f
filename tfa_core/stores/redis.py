"""RedisStore: shared state for many machines, on Redis or a Redis Cluster.

The one module of tfa_core that needs a package beyond the standard library:
redis-py (``pip install tfa[redis]``). Takes a ``redis.Redis`` or a
``redis.cluster.RedisCluster``, configured by the app (its timeouts bound every
call). Each operation is one round trip: ``hit``, ``hit_bucket``, ``advance`` and
``attempt`` are Lua scripts (see :mod:`._lua`) run by EVALSHA; after NOSCRIPT (a
restarted or flushed server) the script is sent once with EVAL, which loads it
again. Each touches one key (``attempt``: two keys the caller puts in one slot
with a ``{hash tag}``), so they run on a Cluster unchanged. ``update`` is
optimistic: WATCH, GET, then MULTI/SET/EXEC, retried on a conflict.

Fail closed: a lost connection, a timeout or a cluster without a primary for the
slot raises StoreUnavailable; a value the store did not write raises CorruptValue.
Neither ever accepts. Not done here: connection settings, key naming (the caller
gives keys; *prefix* namespaces an app).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

try:
    import redis
    from redis.client import NEVER_DECODE
    from redis.cluster import RedisCluster
    from redis.exceptions import (
        NoScriptError,
        RedisClusterException,
        RedisError,
        ResponseError,
        WatchError,
    )
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "tfa_core.stores.redis needs redis-py: pip install tfa[redis]"
    ) from exc

from .. import ratelimit
from ..errors import CorruptValue, InvalidParameter, StoreUnavailable
from ..ratelimit import BucketDecision, BucketState, Decision, Limit, Rate
from . import _lua
from .base import (
    AttemptReason,
    check_attempt,
    check_cost,
    check_key,
    check_now,
    check_step,
    check_ttl,
    decode,
    encode,
)

__all__ = ["RedisStore"]

T = TypeVar("T")
_REASONS: tuple[AttemptReason, ...] = ("throttled", "wrong", "accepted", "replayed")
_W, _B = ord("W"), ord("B")
_UPDATE_TRIES = 64
_RAW: dict[str, Any] = {NEVER_DECODE: []}
# Built without the frozen dataclasses' __init__ (see ratelimit.hit): the hot path.
_window_state = ratelimit._window_state
_decision = ratelimit._decision


_MAX_MS = 10**15  # about 31,700 years: Redis refuses a PX much larger


def _ms(ttl: float) -> int:
    """*ttl* seconds as whole milliseconds for PX, at least 1 (at most _MAX_MS)."""
    return min(_MAX_MS, max(1, math.ceil(ttl * 1000)))


_TAT = struct.Struct("<d").unpack_from
# A script's numbers, packed as four doubles in one argument (see _lua).
_NUMBERS = struct.Struct("<dddd").pack
_NUMKEYS = (b"0", b"1", b"2")  # sent as bytes, as they are


def _split(reply: bytes, tag: int) -> tuple[int, bytes]:
    """(retry_after, state) of a script's reply: a state, or the retry before it."""
    if reply[0] == tag:
        return 0, reply
    at = reply.index(tag)
    return int(reply[:at]), reply[at:]


def _events(state: bytes) -> tuple[float, ...]:
    """The events of a window state (``W`` and packed doubles, oldest first)."""
    return struct.unpack_from(f"<{(len(state) - 1) // 8}d", state, 1)


class RedisStore:
    """The :class:`~tfa_core.stores.Store` on Redis or a Redis Cluster.

    *client* is a ``redis.Redis`` or ``redis.cluster.RedisCluster`` (either
    ``decode_responses`` setting); every key is ``prefix + key``.
    """

    __slots__ = ("_client", "_execute", "prefix")

    def __init__(
        self, client: redis.Redis | RedisCluster, prefix: str = "tfa:"
    ) -> None:
        if not isinstance(client, (redis.Redis, RedisCluster)):
            raise InvalidParameter(
                "client: must be a redis.Redis or RedisCluster, "
                f"got {type(client).__name__}"
            )
        if not isinstance(prefix, str):
            raise InvalidParameter(f"prefix: must be a str, got {prefix!r}")
        self._client = client
        self._execute: Callable[..., Any] = client.execute_command
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"RedisStore({self._client!r}, prefix={self.prefix!r})"

    # -- the round trip ------------------------------------------------------------

    def _fail(self, exc: Exception, keys: tuple[str, ...]) -> NoReturn:
        message = str(exc)
        if isinstance(exc, ResponseError):
            if "TFACORRUPT" in message:
                text = message[message.index("TFACORRUPT") + 11 :]
                text = text.split(" script: ")[0]  # Redis appends where it was raised
                raise CorruptValue(text.removeprefix(self.prefix)) from None
            if message.startswith("WRONGTYPE"):
                shown = ", ".join(k.removeprefix(self.prefix) for k in keys)
                raise CorruptValue(f"{shown}: holds a value of another type") from None
        if "same key slot" in message or "CROSSSLOT" in message:
            raise InvalidParameter(f"key: {message} (use a {{hash tag}})") from None
        raise StoreUnavailable(f"redis: {type(exc).__name__}: {message}") from None

    def _run(
        self, script: _lua.Script, keys: tuple[str, ...], *args: str | bytes
    ) -> Any:
        n = _NUMKEYS[len(keys)]
        try:
            try:
                # NEVER_DECODE: states come back binary, whatever decode_responses is.
                return self._execute("EVALSHA", script.sha, n, *keys, *args, **_RAW)
            except NoScriptError:
                # Restarted or flushed: EVAL runs the source and caches it again.
                return self._execute("EVAL", script.source, n, *keys, *args, **_RAW)
        except (RedisError, RedisClusterException, OSError) as exc:
            self._fail(exc, keys)

    # -- the operations ------------------------------------------------------------

    def hit(self, key: str, limit: Limit, *, now: float, cost: int = 1) -> Decision:
        """:func:`tfa_core.ratelimit.hit` on the window under *key*, in one script."""
        check_key(key)
        check_cost(limit.max, cost)
        now = check_now(now)
        name = self.prefix + key
        numbers = _NUMBERS(limit.max, limit.window, now, cost)
        retry, state = _split(self._run(_lua.HIT, (name,), numbers), _W)
        return _decision(retry == 0, _window_state(_events(state)), retry)

    def hit_bucket(
        self, key: str, rate: Rate, *, now: float, cost: int = 1
    ) -> BucketDecision:
        """:func:`tfa_core.ratelimit.hit_bucket` on the GCRA state, in one script."""
        check_key(key)
        check_cost(rate.burst, cost)
        now = check_now(now)
        numbers = _NUMBERS(rate.interval, rate.burst, now, cost)
        reply = self._run(_lua.HIT_BUCKET, (self.prefix + key,), numbers)
        retry, raw = _split(reply, _B)
        state = BucketState(tat=_TAT(raw, 1)[0])
        return BucketDecision(allowed=retry == 0, state=state, retry_after=retry)

    def advance(self, key: str, step: int, *, ttl: float) -> bool:
        """True iff *step* is above the stored step; the stored step becomes *step*."""
        check_key(key)
        step = check_step(step)
        ms = str(_ms(check_ttl(ttl)))
        return bool(self._run(_lua.ADVANCE, (self.prefix + key,), str(step), ms) == 1)

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
        """One login attempt (limit, then replay guard) in one script."""
        now, ttl = check_attempt(key, step_key, step, now, ttl)
        given = "" if step is None else str(step)
        keys = (self.prefix + key, self.prefix + step_key)
        numbers = _NUMBERS(limit.max, limit.window, now, _ms(ttl))
        code = self._run(_lua.ATTEMPT, keys, numbers, given)
        return ("throttled", -code) if code < 0 else (_REASONS[code], 0)

    def update(
        self, key: str, fn: Callable[[object], tuple[object, T]], *, ttl: float
    ) -> T:
        """WATCH, GET, ``fn``, MULTI/SET/EXEC; *fn* runs again after a conflict.

        Gives up with StoreUnavailable after 64 conflicting writes in a row.
        """
        check_key(key)
        ms = _ms(check_ttl(ttl))
        name = self.prefix + key
        try:
            with self._client.pipeline(transaction=True) as pipe:
                for _ in range(_UPDATE_TRIES):
                    try:
                        pipe.watch(name)
                        raw: Any = pipe.get(name)
                        old = None if raw is None else decode(raw, key)
                        new, result = fn(old)
                        text = None if new is None else encode(new, key)
                        pipe.multi()
                        if text is None:
                            pipe.delete(name)
                        else:
                            pipe.set(name, text, px=ms)
                        pipe.execute()
                        return result
                    except WatchError:
                        continue
        except (RedisError, RedisClusterException, OSError) as exc:
            self._fail(exc, (name,))
        raise StoreUnavailable(
            f"redis: {key}: {_UPDATE_TRIES} conflicting writes in a row"
        )
