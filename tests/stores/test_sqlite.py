"""SQLiteStore's own failures (a locked database fails closed, a bad row is corrupt),
and the TTLs of the local stores on their own clock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tfa_core.errors import CorruptValue, StoreUnavailable
from tfa_core.guard import Guard
from tfa_core.ratelimit import Limit
from tfa_core.stores import MemoryStore, SQLiteStore

from .conftest import fresh

NOW = 1_700_000_000.0
LIMIT = Limit(max=3, window=60)


def test_a_database_locked_past_the_timeout_is_unavailable(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db", timeout=0.05)
    key = fresh()
    assert store.advance(key, 1, ttl=60)
    other = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            store.advance(key, 2, ttl=60)
        with pytest.raises(StoreUnavailable):
            Guard(store).verify_totp("ann", b"k" * 20, "123456", now=NOW)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.advance(key, 2, ttl=60)  # nothing was taken while locked
    store.close()


def test_a_file_that_cannot_be_set_up_is_unavailable_and_left_unlocked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "app.db"
    app = sqlite3.connect(path, isolation_level=None)
    # The app's own database already has something named tfa_store.
    app.execute("CREATE TABLE orders (id INTEGER)")
    app.execute("CREATE INDEX tfa_store ON orders (id)")
    # `refused` keeps the error, its frames and the store's connection alive.
    with pytest.raises(StoreUnavailable) as refused:
        SQLiteStore(path, timeout=0.05)
    # The refused store let go of the write lock it took for its table.
    app.execute("PRAGMA busy_timeout = 50")
    app.execute("BEGIN IMMEDIATE")
    app.execute("INSERT INTO orders VALUES (1)")
    app.execute("COMMIT")
    assert app.execute("SELECT name FROM sqlite_master").fetchall() == [
        ("orders",),
        ("tfa_store",),
    ]
    app.close()
    assert "already an index named tfa_store" in str(refused.value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("window", "[3, 1]"),
        ("window", "{}"),
        ("step", "-1"),
        ("json", "{"),
        ("step", "1.5"),
    ],
)
def test_a_bad_row_is_a_clear_error(tmp_path: Path, kind: str, value: str) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    with sqlite3.connect(store.path) as conn:
        conn.execute("INSERT INTO tfa_store VALUES ('bad', ?, ?, 9e99)", (kind, value))
    with pytest.raises(CorruptValue, match=r"^bad: "):
        if kind == "window":
            store.hit("bad", LIMIT, now=NOW)
        elif kind == "step":
            store.advance("bad", 5, ttl=60)
        else:
            store.update("bad", lambda old: (1, old), ttl=60)
    store.close()


def test_rows_expire_and_purge_deletes_them(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store.advance("live", 1, ttl=60)
    with sqlite3.connect(store.path) as conn:
        conn.execute("INSERT INTO tfa_store VALUES ('old', 'step', '9', 1.0)")
    assert store.advance("old", 1, ttl=60)  # an expired row counts as absent
    with sqlite3.connect(store.path) as conn:
        conn.execute("INSERT INTO tfa_store VALUES ('gone', 'step', '9', 1.0)")
    assert store.purge() == 1
    assert not store.advance("live", 1, ttl=60)
    store.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_idle_keys_are_forgotten_on_the_stores_own_clock(
    tmp_path: Path, kind: str
) -> None:
    ticks = [1000.0]
    store: MemoryStore | SQLiteStore = (
        MemoryStore(clock=lambda: ticks[0])
        if kind == "memory"
        else SQLiteStore(tmp_path / "s.db", clock=lambda: ticks[0])
    )
    key = fresh()
    assert store.advance(key, 7, ttl=90)
    ticks[0] += 89.5
    assert not store.advance(key, 7, ttl=90)  # still remembered: refused
    ticks[0] += 1.0
    assert store.advance(key, 7, ttl=90)  # the key expired: the step is new again
    if isinstance(store, SQLiteStore):
        ticks[0] += 91.0
        assert store.purge() == 1
        store.close()
