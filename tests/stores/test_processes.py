"""Processes, not threads: 8 at once on SQLite, Redis and a Redis Cluster.

The invariants hold whatever the interleaving: one valid TOTP code accepted once,
at most ``max`` attempts evaluated per window, exactly ``max`` hits allowed on a
frozen clock. The parent waits for the eight results themselves, with a deadline.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.support.redis_server import Cluster, RedisServer
from tfa_core.otp import b32encode
from tfa_core.ratelimit import Limit
from tfa_core.stores import MemoryStore

from . import workers
from .conftest import fresh

PROCESSES = 8
DEADLINE = 60.0  # seconds for all eight results, on a loaded two-core machine
NOW = 1_700_000_000.0
KEY = b"12345678901234567890"


@pytest.fixture(params=["sqlite", "redis", "cluster"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> workers.Spec:
    if request.param == "sqlite":
        return ("sqlite", str(tmp_path / "shared.db"))
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        return ("redis", server.port)
    cluster: Cluster = request.getfixturevalue("redis_cluster")
    return ("cluster", cluster.ports)


def run_all(target: Callable[..., None], *args: Any) -> list[list[Any]]:
    """Run ``target(spec..., barrier, queue, *args)`` in 8 processes; their results."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.stores.workers"])
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    spec, rest = args[0], args[1:]
    procs = [
        ctx.Process(target=target, args=(spec, barrier, results, *rest))
        for _ in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    try:
        got = [results.get(timeout=DEADLINE) for _ in procs]
    except queue_module.Empty:
        pytest.fail("the eight processes did not all answer in time")
    finally:
        for p in procs:
            p.join(DEADLINE)
            if p.is_alive():
                p.kill()
        results.close()
    errors = [r for r in got if isinstance(r, str)]
    assert not errors, errors
    return got


def test_one_valid_code_from_eight_processes_is_accepted_once(
    spec: workers.Spec,
) -> None:
    code = pyotp.TOTP(b32encode(KEY)).at(int(NOW))
    limit = Limit(max=100, window=300)
    got = run_all(workers.present_totp, spec, fresh("u"), KEY, [code], NOW, limit)
    reasons = Counter(r for rs in got for r in rs)
    assert reasons == {"accepted": 1, "replayed": PROCESSES - 1}


def test_wrong_codes_from_eight_processes_get_max_evaluations(
    spec: workers.Spec,
) -> None:
    right = int(pyotp.TOTP(b32encode(KEY)).at(int(NOW)))
    wrong = [f"{(right + i) % 1_000_000:06d}" for i in (1, 2, 3)]
    limit = Limit(max=5, window=300)
    got = run_all(workers.present_totp, spec, fresh("u"), KEY, wrong, NOW, limit)
    reasons = Counter(r for rs in got for r in rs)
    assert reasons == {"wrong": 5, "throttled": 3 * PROCESSES - 5}


def test_eight_processes_on_one_frozen_clock_get_exactly_max(
    spec: workers.Spec,
) -> None:
    limit = Limit(max=20, window=60)
    got = run_all(workers.hit_many, spec, fresh(), limit, NOW, 10)
    assert sum(allowed for flags in got for allowed in flags) == 20


def test_memory_store_threads_on_one_frozen_clock_get_exactly_max() -> None:
    """MemoryStore is one process's store: thread-safe, so threads are its test."""
    store, key, limit = MemoryStore(), fresh(), Limit(max=20, window=60)
    barrier, allowed = threading.Barrier(PROCESSES), []

    def hit_ten() -> None:
        barrier.wait(DEADLINE)
        allowed.append(sum(store.hit(key, limit, now=NOW).allowed for _ in range(10)))

    threads = [threading.Thread(target=hit_ten) for _ in range(PROCESSES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE)
    assert len(allowed) == PROCESSES
    assert sum(allowed) == 20


def test_eight_processes_open_one_new_sqlite_file_at_the_same_instant(
    tmp_path: Path,
) -> None:
    # Opening raced: an autocommit CREATE TABLE or the switch to WAL could meet
    # another process's and be refused at once ("database is locked"), in about one
    # round in seven. Each round is a new file.
    for round_ in range(8):
        spec = ("sqlite", str(tmp_path / f"new{round_}.db"))
        got = run_all(workers.open_at_once, spec, "k")
        assert sorted(flags[0] for flags in got) == [False] * 7 + [True]
