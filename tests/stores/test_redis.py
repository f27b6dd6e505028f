"""RedisStore's own behaviour on a real redis-server: faults, restarts, bad values.

A stopped or frozen server raises StoreUnavailable and accepts nothing; a restarted
one (its scripts gone) serves the same store object again; a value the store did not
write is a clear CorruptValue; codes are kept only hashed; keys expire.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import signal
import struct
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.support.redis_server import Cluster, RedisServer, redis_server_binary
from tfa_core.errors import CorruptValue, StoreUnavailable
from tfa_core.guard import Guard
from tfa_core.otp import b32encode
from tfa_core.ratelimit import Limit, Rate
from tfa_core.stores import RedisStore
from tfa_core.stores._lua import HIT

from .conftest import fresh

NOW = 1_700_000_000.0
KEY = b"12345678901234567890"
CODE_KEY = b"an app secret, not in the store"
LIMIT = Limit(max=3, window=60)


def totp_at(now: float) -> str:
    return pyotp.TOTP(b32encode(KEY)).at(int(now))


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A server of this test alone, to stop and restart."""
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def quick_client(server: RedisServer) -> redis.Redis:
    """A client that gives up fast: 0.5 s timeouts, no retries."""
    return server.client(
        socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
    )


def every_operation(store: RedisStore, user: str) -> list[object]:
    """Each operation once, through a Guard where it can be; raises on the first."""
    guard = Guard(store, code_key=CODE_KEY)
    return [
        guard.verify_totp(user, KEY, totp_at(NOW), now=NOW),
        store.hit(fresh(), LIMIT, now=NOW),
        store.hit_bucket(fresh(), Rate(count=1, period=1), now=NOW),
        store.advance(fresh(), 1, ttl=60),
        guard.issue_code(user, "login", rng=random.Random(1), now=NOW),
    ]


def test_a_stopped_server_fails_closed_and_a_restarted_one_serves_again(
    own_server: RedisServer,
) -> None:
    client = quick_client(own_server)
    store, guard, user = RedisStore(client), Guard(RedisStore(client)), fresh("u")
    assert guard.verify_totp(user, KEY, totp_at(NOW - 30), now=NOW).accepted
    own_server.stop()
    for call in (
        lambda: guard.verify_totp(user, KEY, totp_at(NOW), now=NOW),
        lambda: store.hit(fresh(), LIMIT, now=NOW),
        lambda: store.advance(fresh(), 1, ttl=60),
        lambda: store.update(fresh(), lambda old: (1, old), ttl=60),
        lambda: Guard(store, code_key=CODE_KEY).verify_code(user, "x", "1", now=NOW),
    ):
        with pytest.raises(StoreUnavailable, match=r"^redis: "):
            call()
    own_server.start()  # same port, empty, no scripts loaded
    assert client.script_exists(HIT.sha) == [False]
    results = every_operation(store, user)
    assert results[0] == guard.verify_totp(fresh("u"), KEY, totp_at(NOW), now=NOW)
    assert results[0].accepted  # type: ignore[attr-defined]
    assert [getattr(r, "allowed", r) for r in results[1:4]] == [True, True, True]
    assert client.script_exists(HIT.sha) == [True]  # reloaded after NOSCRIPT
    client.close()


def test_a_frozen_server_times_out_and_accepts_nothing(own_server: RedisServer) -> None:
    client = quick_client(own_server)
    guard, user = Guard(RedisStore(client)), fresh("u")
    assert guard.verify_totp(user, KEY, "000000", now=NOW).reason in (
        "wrong",
        "accepted",
    )
    assert own_server.process is not None
    os.kill(own_server.process.pid, signal.SIGSTOP)  # accepts bytes, never answers
    try:
        with pytest.raises(StoreUnavailable, match="Timeout"):
            guard.verify_totp(user, KEY, totp_at(NOW), now=NOW)
    finally:
        os.kill(own_server.process.pid, signal.SIGCONT)
    # The timed-out attempt may have run on the server: it is then spent, never
    # accepted twice.
    assert guard.verify_totp(user, KEY, totp_at(NOW), now=NOW).reason in (
        "accepted",
        "replayed",
    )
    client.close()


def test_scripts_flushed_are_loaded_again(redis_server: RedisServer) -> None:
    client = redis_server.client()
    store = RedisStore(client)
    assert store.hit(fresh(), LIMIT, now=NOW).allowed
    client.script_flush()
    assert store.hit(fresh(), LIMIT, now=NOW).allowed
    assert client.script_exists(HIT.sha) == [True]
    client.close()


BAD_WINDOWS = [
    b"Wabc",  # not a whole number of doubles
    b"W",  # no events
    b"W" + struct.pack("<2d", 3.0, 1.0),  # not sorted
    b"W" + struct.pack("<d", math.nan),
    b"W" + struct.pack("<d", math.inf),
    b"garbage",
    b"S5",  # a step
    b"B" + bytes(8),  # a bucket
    b"",
]


BAD_STEPS = [b"S-1", b"S01", b"S", b"W1", b"7", b"S1.5"]
BAD_VALUES = [("attempts", v) for v in BAD_WINDOWS] + [("step", v) for v in BAD_STEPS]


@pytest.mark.parametrize(("which", "value"), BAD_VALUES)
def test_a_corrupt_totp_value_is_a_clear_error_not_an_accept(
    redis_server: RedisServer, which: str, value: bytes
) -> None:
    client = redis_server.client()
    user = fresh("u")
    client.set("tfa:totp:{" + user + "}:" + which, value)
    with pytest.raises(CorruptValue, match=rf"^totp:\{{.*\}}:{which}: holds no "):
        Guard(RedisStore(client)).verify_totp(user, KEY, totp_at(NOW), now=NOW)
    client.close()


def test_corrupt_values_of_the_other_operations(redis_server: RedisServer) -> None:
    client = redis_server.client()
    store = RedisStore(client)
    for name, value in (("bucket", "Bx"), ("list", None), ("json", "S5")):
        if value is None:
            client.rpush("tfa:" + name, "x")
        else:
            client.set("tfa:" + name, value)
    with pytest.raises(CorruptValue, match=r"^bucket: holds no bucket state"):
        store.hit_bucket("bucket", Rate(count=1, period=1), now=NOW)
    with pytest.raises(CorruptValue, match=r"^list: holds a value of another type"):
        store.hit("list", LIMIT, now=NOW)
    with pytest.raises(CorruptValue, match=r"^list: holds a value of another type"):
        store.update("list", lambda old: (old, old), ttl=1)
    with pytest.raises(CorruptValue, match=r"^json: holds a value that is not JSON"):
        store.update("json", lambda old: (old, old), ttl=1)
    client.close()


def test_redis_holds_no_code_and_keys_expire(redis_server: RedisServer) -> None:
    client = redis_server.client(decode_responses=True)
    store = RedisStore(client, prefix=fresh("app") + ":")
    guard, user = Guard(store, code_key=CODE_KEY), fresh("u")
    codes = [
        guard.issue_code(user, f"p{i}", rng=random.Random(i), now=NOW, length=12)
        for i in range(3)
    ]
    assert guard.verify_totp(user, KEY, totp_at(NOW), now=NOW).accepted
    keys = sorted(client.scan_iter(store.prefix + "*"))
    assert [k.removeprefix(store.prefix) for k in keys] == [
        "code:{" + user + "}:p0",
        "code:{" + user + "}:p1",
        "code:{" + user + "}:p2",
        "totp:{" + user + "}:attempts",
        "totp:{" + user + "}:step",
    ]
    raw = redis_server.client()  # the values are binary: read them undecoded
    text = b" ".join(raw.get(k) or b"" for k in keys)
    raw.close()
    assert not any(code.encode() in text for code in codes)
    ttls = {k.removeprefix(store.prefix).split(":")[0]: client.pttl(k) for k in keys}
    attempts = client.pttl(store.prefix + "totp:{" + user + "}:attempts")
    step = client.pttl(store.prefix + "totp:{" + user + "}:step")
    assert 290_000 < attempts <= 300_000  # the attempt window
    assert 110_000 < step <= 120_000  # (2 * window + 2) steps of 30 s
    assert 3_590_000 < ttls["code"] <= 3_601_000  # the longest life of a code
    client.close()


def test_a_ttl_of_ages_is_kept_as_the_longest_redis_takes(
    redis_server: RedisServer,
) -> None:
    client = redis_server.client()
    store, key, other = RedisStore(client), fresh(), fresh()
    assert store.advance(key, 1, ttl=1e300)
    assert store.attempt(other, LIMIT, other + ":s", 1, now=NOW, ttl=1e300) == (
        "accepted",
        0,
    )
    assert 10**15 - 60_000 < client.pttl(store.prefix + key) <= 10**15
    assert 10**15 - 60_000 < client.pttl(store.prefix + other + ":s") <= 10**15
    client.close()


def test_prefixes_keep_apps_apart(redis_server: RedisServer) -> None:
    client = redis_server.client()
    one, two = RedisStore(client, prefix="one:"), RedisStore(client, prefix="two:")
    key = fresh()
    assert one.advance(key, 5, ttl=60)
    assert two.advance(key, 5, ttl=60)
    assert not one.advance(key, 5, ttl=60)
    client.close()


@pytest.mark.parametrize("engine", ["redis_server", "redis_cluster"])
def test_update_retries_after_a_conflicting_write(
    request: pytest.FixtureRequest, engine: str
) -> None:
    server: RedisServer | Cluster = request.getfixturevalue(engine)
    client, other = server.client(), server.client()
    store, key, calls = RedisStore(client), fresh(), []

    def add_one(old: object) -> tuple[object, int]:
        calls.append(old)
        if len(calls) == 1:  # another process writes between our read and our write
            other.set("tfa:" + key, "41")
        count = 0 if old is None else int(old)  # type: ignore[call-overload]
        return count + 1, count

    assert store.update(key, add_one, ttl=60) == 41
    assert calls == [None, 41]
    assert client.get("tfa:" + key) == b"42"
    client.close()
    other.close()


def test_a_cluster_without_its_node_fails_closed(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path)
    try:
        client = cluster.client()
        store = RedisStore(client)
        keys = [fresh() for _ in range(12)]
        assert all(store.advance(k, 1, ttl=60) for k in keys)
        cluster.nodes[1].stop()
        failures = 0
        for k in keys:
            try:
                assert not store.advance(k, 1, ttl=60)
            except StoreUnavailable:
                failures += 1
        assert failures > 0  # the keys of the stopped node's slots
        client.close()
    finally:
        cluster.stop()


def test_a_missing_redis_server_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI needs it"):
        redis_server_binary()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="with CI=true this fails"):
        redis_server_binary()
