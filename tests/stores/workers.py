"""What each process of the concurrency tests runs (importable by a forkserver child).

A worker builds its own store from a spec (a store is never shared across a fork),
waits at a barrier so all start at once, does its part, and puts its results on a
queue for the parent.
"""

from __future__ import annotations

from typing import Any

import redis
from redis.cluster import ClusterNode, RedisCluster

from tfa_core.guard import Guard
from tfa_core.ratelimit import Limit
from tfa_core.stores import RedisStore, SQLiteStore, Store

BARRIER_TIMEOUT = 30.0
Spec = tuple[str, Any]


def open_store(spec: Spec) -> Store:
    """The store a spec names: ("sqlite", path), ("redis", port), ("cluster", ports)."""
    kind, where = spec
    if kind == "sqlite":
        return SQLiteStore(where, timeout=30)
    if kind == "redis":
        return RedisStore(redis.Redis(host="127.0.0.1", port=where, socket_timeout=30))
    nodes = [ClusterNode("127.0.0.1", port) for port in where]
    return RedisStore(RedisCluster(startup_nodes=nodes, socket_timeout=30))


def present_totp(
    spec: Spec, barrier: Any, queue: Any, user: str, key: bytes, codes: list[str],
    now: float, limit: Limit,
) -> None:  # fmt: skip
    """Present *codes* for *user* through a Guard; put the reasons on *queue*."""
    try:
        guard = Guard(open_store(spec), attempts=limit)
        barrier.wait(BARRIER_TIMEOUT)
        queue.put([guard.verify_totp(user, key, c, now=now).reason for c in codes])
    except Exception as exc:
        queue.put(f"error: {exc!r}")


def hit_many(
    spec: Spec, barrier: Any, queue: Any, key: str, limit: Limit, now: float, hits: int
) -> None:
    """Hit *key* *hits* times at one frozen *now*; put the allowed flags on *queue*."""
    try:
        store = open_store(spec)
        barrier.wait(BARRIER_TIMEOUT)
        queue.put([store.hit(key, limit, now=now).allowed for _ in range(hits)])
    except Exception as exc:
        queue.put(f"error: {exc!r}")


def open_at_once(spec: Spec, barrier: Any, queue: Any, key: str) -> None:
    """Open the store only once all are at the barrier (workers starting together on
    a new file), then advance *key*; put whether this process's step was new."""
    try:
        barrier.wait(BARRIER_TIMEOUT)
        queue.put([open_store(spec).advance(key, 1, ttl=60)])
    except Exception as exc:
        queue.put(f"error: {exc!r}")
