"""SQLiteStore: shared state for several processes on one machine (stdlib sqlite3).

One table, WAL journal, one short ``BEGIN IMMEDIATE`` transaction per operation:
the write lock is taken before the read, so two processes never decide on the same
old value. A lock not granted within *timeout* seconds raises StoreUnavailable
(fail closed). ``synchronous=NORMAL``: a process crash loses nothing, a power cut
may lose the last commits. Not for several machines (SQLite over a network file
system is not safe): use RedisStore. Create the store in each process, after a
fork; one store object is thread-safe (one connection behind a lock).
Keys expire on the store's *clock* (``time.time`` unless another is given: the
one clock a store reads, for TTLs only; every rule uses the caller's ``now``);
expired rows are ignored when read and deleted every few thousand writes (or by
:meth:`SQLiteStore.purge`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..errors import CorruptValue, StoreUnavailable
from ..ratelimit import WindowState
from .base import decode, encode, step_value, tat_value, window_events
from .local import Kind, LocalStore, corrupt

__all__ = ["SQLiteStore"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tfa_store ("
    " key TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL,"
    " expires REAL NOT NULL) WITHOUT ROWID"
)
_SELECT = "SELECT kind, value, expires FROM tfa_store WHERE key = ?"
_UPSERT = (
    "INSERT INTO tfa_store (key, kind, value, expires) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE SET"
    " kind = excluded.kind, value = excluded.value, expires = excluded.expires"
)
_PURGE_EVERY = 4096


class _SQLiteTransaction:
    __slots__ = ("conn", "now", "writes")

    def __init__(self, conn: sqlite3.Connection, now: float) -> None:
        self.conn = conn
        self.now = now
        self.writes = 0

    def get(self, key: str, kind: Kind) -> object | None:
        row = self.conn.execute(_SELECT, (key,)).fetchone()
        if row is None or row[2] <= self.now:
            return None
        held, text = row[0], row[1]
        if held != kind:
            raise corrupt(key, str(held), kind)
        if not isinstance(text, str):
            raise CorruptValue(f"{key}: holds a value that is not text")
        value = decode(text, key)
        if kind == "window":
            return window_events(value, key)
        if kind == "bucket":
            return tat_value(value, key)
        if kind == "step":
            return step_value(value, key)
        return value

    def put(self, key: str, kind: Kind, value: object, ttl: float) -> None:
        if isinstance(value, WindowState):
            value = list(value.events)
        text = encode(value, key)
        self.conn.execute(_UPSERT, (key, kind, text, self.now + ttl))
        self.writes += 1

    def delete(self, key: str) -> None:
        self.conn.execute("DELETE FROM tfa_store WHERE key = ?", (key,))
        self.writes += 1


class SQLiteStore(LocalStore):
    """The :class:`~tfa_core.stores.Store` in one SQLite file, for one machine.

    *timeout* bounds the wait for another process's transaction (seconds);
    *clock* gives the Unix time that TTLs run on (all processes must agree on it).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = os.fspath(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._writes = 0
        self._pid = os.getpid()
        conn = None
        try:
            conn = self._conn = sqlite3.connect(
                self.path,
                timeout=timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            self._set_up(timeout)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()  # a half set-up may hold the write lock: let it go now
            raise StoreUnavailable(
                f"sqlite: cannot open {self.path!r} ({exc})"
            ) from None

    def _set_up(self, timeout: float) -> None:
        """Make the table and turn on WAL, however many processes open the file now.

        Workers often open one new file at the same instant. The table is made under
        BEGIN IMMEDIATE, which waits for the write lock (an autocommit CREATE would
        upgrade a read lock, which SQLite refuses at once when it could deadlock).
        The switch to WAL can still meet another process's switch and be refused at
        once without waiting, so it is tried again until *timeout* has passed.
        """
        conn = self._conn
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(_SCHEMA)
        conn.execute("COMMIT")
        deadline = time.monotonic() + timeout
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.005)  # a retry of an I/O refusal, as SQLite's busy handler

    @contextmanager
    def transaction(self) -> Iterator[_SQLiteTransaction]:
        """One ``BEGIN IMMEDIATE`` transaction; rolled back when the body raises."""
        with self._lock:
            if os.getpid() != self._pid:
                raise StoreUnavailable(
                    "sqlite: a store must be created in each process"
                )
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"sqlite: {exc}") from None
            try:
                tx = _SQLiteTransaction(conn, self._clock())
                yield tx
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreUnavailable(f"sqlite: {exc}") from None
                raise
            self._writes += tx.writes
            if self._writes >= _PURGE_EVERY:
                self._writes = 0
                self._purge(self._clock())

    def _purge(self, now: float) -> int:
        try:
            return self._conn.execute(
                "DELETE FROM tfa_store WHERE expires <= ?", (now,)
            ).rowcount
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite: {exc}") from None

    def purge(self) -> int:
        """Delete the expired rows now; returns how many."""
        with self._lock:
            return self._purge(self._clock())

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"
