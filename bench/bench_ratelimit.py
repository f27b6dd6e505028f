"""Sliding-window decisions per second: tfa_core.ratelimit.hit against `limits`.

Run by ``make bench`` (a plain script, not a test). One timed run per contender:

* the same sequence of keys (10,000 distinct keys, drawn by a seeded
  ``random.Random``) and the same limit for every contender;
* ``tfa_core``: the caller keeps the states in a dict and calls
  ``hit(limit, states.get(key, empty), now=time.time())``, storing the new state
  when allowed (the way an application would);
* ``limits``: ``MovingWindowRateLimiter`` (an exact sliding log, like ours) and
  ``SlidingWindowCounterRateLimiter`` (an approximation), each over a fresh
  ``MemoryStorage``, calling ``limiter.hit(item, key)``.

Time: ``limits`` reads ``time.time()`` itself (several times per hit, and its
storage runs a timer thread that expires old entries every 10 ms); our loop reads
``time.time()`` once per decision and passes it in, so both pay for a clock read
and both see real time. A run lasts seconds and the window is 60 s, so windows do
not slide within a run: the decisions depend on the key sequence only, and the
allowed counts printed next to each rate show the exact limiters agreed.

Two workloads: a limit no key reaches (every hit allowed: our worst case, since
each allowed hit builds a new state) and a limit most hits exceed.

A third contender bounds what any ``hit`` of this interface can reach in CPython:
``ceiling_hit`` does only the least work (prune by bisect, build the new state and
the decision) with no checks and no ``retry_after``, and builds its frozen values
by swapping the class of a mutable twin (a trick unfit for the library), the
cheapest way found. Its ratio is the most the goal could get from this loop.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from bisect import bisect_right
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Run as `python bench/bench_ratelimit.py`: make the repository's tfa_core importable
# whether or not the package is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import (
    MovingWindowRateLimiter,
    SlidingWindowCounterRateLimiter,
)

from tfa_core.ratelimit import Decision, Limit, WindowState, hit

KEYS = 10_000
HITS = 100_000  # 10 per key on average
SEED = 2024
GOAL = 10.0


class _MutableState:
    __slots__ = ("events",)


class _MutableDecision:
    __slots__ = ("allowed", "retry_after", "state")


def ceiling_hit(limit: Limit, state: WindowState, *, now: float) -> Decision:
    """The least work of a sliding-window hit; not a rate limiter (see above)."""
    events = state.events
    lo = bisect_right(events, now - limit.window)
    decision: Any = _MutableDecision()
    if len(events) - lo < limit.max:
        new: Any = _MutableState()
        new.events = events[lo:] + (now,)  # noqa: RUF005
        new.__class__ = WindowState
        decision.allowed, decision.state, decision.retry_after = True, new, 0
    else:
        decision.allowed, decision.state, decision.retry_after = False, state, 1
    decision.__class__ = Decision
    return decision  # type: ignore[no-any-return]


def run_tfa(
    keys: list[str], max_: int, decide: Callable[..., Decision] = hit
) -> tuple[float, int]:
    """Decisions per second and the number allowed, for *decide* (``hit``)."""
    limit = Limit(max=max_, window=60)
    empty = WindowState()
    states: dict[str, WindowState] = {}
    get = states.get
    clock = time.time
    allowed = 0
    start = time.perf_counter()
    for key in keys:
        decision = decide(limit, get(key, empty), now=clock())
        if decision.allowed:
            states[key] = decision.state
            allowed += 1
    elapsed = time.perf_counter() - start
    return len(keys) / elapsed, allowed


def run_limits(
    keys: list[str],
    max_: int,
    strategy: Callable[[MemoryStorage], MovingWindowRateLimiter]
    | Callable[[MemoryStorage], SlidingWindowCounterRateLimiter],
) -> tuple[float, int]:
    """Decisions per second and the number allowed, for one `limits` strategy."""
    storage = MemoryStorage()
    limiter = strategy(storage)
    item = RateLimitItemPerMinute(max_)
    allowed = 0
    start = time.perf_counter()
    for key in keys:
        if limiter.hit(item, key):
            allowed += 1
    elapsed = time.perf_counter() - start
    # Stop the storage's expiry timer before dropping it (it would race a reset).
    storage.timer.cancel()
    storage.timer.join()
    return len(keys) / elapsed, allowed


def main() -> None:
    """Print one line per contender and workload, then the ratios."""
    rng = random.Random(SEED)
    names = [f"user:{i}" for i in range(KEYS)]
    keys = [names[rng.randrange(KEYS)] for _ in range(HITS)]
    print(
        f"{HITS:,} hits over {KEYS:,} keys, window 60 s, real time "
        f"(Python {sys.version.split()[0]})"
    )
    worst = ceiling = float("inf")
    for label, max_ in (("all allowed", 1000), ("mostly refused", 2)):
        gc.collect()
        ours, ours_allowed = run_tfa(keys, max_)
        gc.collect()
        bound, bound_allowed = run_tfa(keys, max_, ceiling_hit)
        assert bound_allowed == ours_allowed
        print(
            f"  [{label}, max {max_}] tfa_core.ratelimit.hit: "
            f"{ours:12,.0f} ops/s  ({ours_allowed:,} allowed)\n"
            f"  [{label}, max {max_}] ceiling (least work, no checks): "
            f"{bound:12,.0f} ops/s"
        )
        for name, strategy in (
            ("MovingWindowRateLimiter", MovingWindowRateLimiter),
            ("SlidingWindowCounterRateLimiter", SlidingWindowCounterRateLimiter),
        ):
            gc.collect()
            theirs, theirs_allowed = run_limits(keys, max_, strategy)
            ratio = ours / theirs
            worst = min(worst, ratio)
            ceiling = min(ceiling, bound / theirs)
            print(
                f"  [{label}, max {max_}] limits {name}: {theirs:12,.0f} ops/s  "
                f"({theirs_allowed:,} allowed)  ratio {ratio:5.1f}x "
                f"(ceiling {bound / theirs:4.1f}x)"
            )
    verdict = "met" if worst >= GOAL else "NOT met"
    print(
        f"  lowest ratio {worst:.1f}x; goal {GOAL:.0f}x {verdict}; "
        f"the ceiling's lowest {ceiling:.1f}x"
    )


if __name__ == "__main__":
    main()
