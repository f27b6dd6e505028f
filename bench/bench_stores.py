"""Shared-state operations on one redis-server: tfa_core.stores against its anchors.

Run by ``make bench`` (a plain script, not a test). It starts its own redis-server
(free port, no disk) and stops it at the end. All Redis contenders share one
client and connection pool, so they use the same connection; they hit the same
key names (each library under its own prefix) and run in paired rounds: every
round runs each contender once, in an order that alternates, and each ratio is
the median over rounds of (ours / anchor) in the same round.

* ``RedisStore.hit`` (an exact sliding window, one Lua script) against `limits`'
  ``MovingWindowRateLimiter`` over ``RedisStorage`` (exact against exact, also a
  script) and against the floor, a plain ``GET`` round trip. Goals: >= 1.0x
  `limits`, >= 0.7x the floor.
* ``RedisStore.advance`` (the replay guard, one script): >= 0.7x the floor.
* ``Guard.verify_totp`` with a valid code (the HMAC here, one script for the
  limit and the replay guard): >= 0.6x the floor, and >= 2x the read-modify-write
  an app would write by hand with WATCH/GET/MULTI/SET/EXEC around tfa_core's pure
  ``ratelimit.hit`` and ``otp.verify_totp``.
* A ceiling for the scripted operations: EVALSHA of a script that returns at once,
  the least any one-script operation can cost through redis-py.
* ``SQLiteStore.hit`` (a file in a temporary folder) and ``MemoryStore.hit`` in
  ops/s, for the README.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis
from limits import RateLimitItemPerMinute
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from tests.support.redis_server import RedisServer
from tfa_core import otp, ratelimit
from tfa_core.guard import Guard
from tfa_core.ratelimit import Limit, WindowState
from tfa_core.stores import MemoryStore, RedisStore, SQLiteStore

ROUNDS = 9
OPS = 2000  # per contender per round
KEYS = 500
MAX = 10  # per minute: most hits allowed early, refusals later (as on a login form)
TOTP_KEY = b"12345678901234567890"
GOALS = {
    "hit/limits": 1.0,
    "hit/floor": 0.7,
    "advance/floor": 0.7,
    "verify_totp/floor": 0.6,
    "verify_totp/by hand": 2.0,
}


def timed(op: Callable[[int], object], n: int = OPS) -> float:
    """Operations per second of ``op(i)`` for i in range(n)."""
    start = time.perf_counter()
    for i in range(n):
        op(i)
    return n / (time.perf_counter() - start)


def by_hand(client: redis.Redis, limit: Limit) -> Callable[[str, str, float], bool]:
    """The TOTP check an app writes itself: WATCH/GET, pure rules, MULTI/SET/EXEC."""

    def verify(user: str, code: str, now: float) -> bool:
        name = f"hand:{user}"
        with client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(name)
                    raw = pipe.get(name)
                    state = json.loads(raw) if raw else {"events": [], "step": None}
                    window = WindowState(events=tuple(state["events"]))
                    decision = ratelimit.hit(limit, window, now=now)
                    if not decision.allowed:
                        return False
                    step = otp.verify_totp(
                        TOTP_KEY, code, now=now, last_step=state["step"]
                    )
                    new = {
                        "events": list(decision.state.events),
                        "step": state["step"] if step is None else step,
                    }
                    pipe.multi()
                    pipe.set(name, json.dumps(new), px=300_000)
                    pipe.execute()
                    return step is not None
                except redis.WatchError:
                    continue

    return verify


def main() -> None:
    if shutil.which("redis-server") is None:
        sys.exit("bench_stores: needs redis-server (apt-get install redis-server)")
    folder = Path(tempfile.mkdtemp(prefix="bench-stores-"))
    server = RedisServer(folder)
    try:
        run(server, folder)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def run(server: RedisServer, folder: Path) -> None:
    client = server.client()
    names = [f"user:{i}" for i in range(KEYS)]
    steps_of = [f"step:{i}" for i in range(KEYS)]
    limit = Limit(max=MAX, window=60)
    store = RedisStore(client)
    limiter = MovingWindowRateLimiter(
        RedisStorage(
            f"redis://127.0.0.1:{server.port}", connection_pool=client.connection_pool
        )
    )
    item = RateLimitItemPerMinute(MAX)
    noop = client.register_script("return 1")
    noop()  # loaded once, so each call below is one EVALSHA
    get = client.get
    clock = time.time
    guard = Guard(store, attempts=Limit(max=5, window=300))
    hand = by_hand(client, Limit(max=5, window=300))
    steps = iter(range(1, 10**9))
    memory, sqlite = MemoryStore(), SQLiteStore(folder / "bench.db")

    def verify_guard(round_: int) -> Callable[[int], object]:
        now = clock()
        code = otp.totp(TOTP_KEY, now=now)
        return lambda i: guard.verify_totp(f"r{round_}:{i}", TOTP_KEY, code, now=now)

    def verify_hand(round_: int) -> Callable[[int], object]:
        now = clock()
        code = otp.totp(TOTP_KEY, now=now)
        return lambda i: hand(f"r{round_}:{i}", code, now)

    contenders: dict[str, Callable[[int], Callable[[int], object]]] = {
        "floor: GET": lambda r: lambda i: get(names[i % KEYS]),
        "ceiling: EVALSHA return 1": lambda r: lambda i: noop(),
        "RedisStore.hit": lambda r: (
            lambda i: store.hit(names[i % KEYS], limit, now=clock())
        ),
        "limits MovingWindow (Redis)": lambda r: (
            lambda i: limiter.hit(item, names[i % KEYS])
        ),
        "RedisStore.advance": lambda r: (
            lambda i: store.advance(steps_of[i % KEYS], next(steps), ttl=90)
        ),
        "Guard.verify_totp (valid)": verify_guard,
        "by hand: WATCH/GET/MULTI/SET": verify_hand,
    }
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    # Sanity: the two guards agree that a fresh valid code passes once.
    now = clock()
    code = otp.totp(TOTP_KEY, now=now)
    assert guard.verify_totp("check", TOTP_KEY, code, now=now).accepted
    assert not guard.verify_totp("check", TOTP_KEY, code, now=now).accepted
    assert hand("check", code, now) and not hand("check", code, now)
    order = list(contenders)
    for r in range(ROUNDS):
        for name in order if r % 2 == 0 else reversed(order):
            rates[name].append(timed(contenders[name](r)))
    local = {
        "MemoryStore.hit": [
            timed(lambda i: memory.hit(names[i % KEYS], limit, now=clock()), 20_000)
        ],
        "SQLiteStore.hit": [
            timed(lambda i: sqlite.hit(names[i % KEYS], limit, now=clock()))
        ],
    }

    def ratio(ours: str, anchor: str) -> float:
        return statistics.median(
            a / b for a, b in zip(rates[ours], rates[anchor], strict=True)
        )

    print(
        f"{ROUNDS} paired rounds of {OPS:,} ops, {KEYS} keys, limit {MAX}/60 s, "
        f"one redis-server on 127.0.0.1 (redis-py {redis.__version__}, "
        f"Python {sys.version.split()[0]})"
    )
    for name, values in {**rates, **local}.items():
        print(f"  {name:32} {statistics.median(values):10,.0f} ops/s")
    results = {
        "hit/limits": ratio("RedisStore.hit", "limits MovingWindow (Redis)"),
        "hit/floor": ratio("RedisStore.hit", "floor: GET"),
        "advance/floor": ratio("RedisStore.advance", "floor: GET"),
        "verify_totp/floor": ratio("Guard.verify_totp (valid)", "floor: GET"),
        "verify_totp/by hand": ratio(
            "Guard.verify_totp (valid)", "by hand: WATCH/GET/MULTI/SET"
        ),
    }
    for name, value in results.items():
        verdict = "met" if value >= GOALS[name] else "NOT met"
        print(f"  ratio {name:22} {value:5.2f}x  (goal >= {GOALS[name]}x: {verdict})")
    anchor = ratio("limits MovingWindow (Redis)", "floor: GET")
    ceiling = ratio("ceiling: EVALSHA return 1", "floor: GET")
    print(f"  ratio limits/floor {anchor:5.2f}x, ceiling/floor {ceiling:5.2f}x")
    client.close()
    sqlite.close()


if __name__ == "__main__":
    main()
