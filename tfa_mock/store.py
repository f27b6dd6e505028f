"""The state file of ``tfa-mock serve --state FILE``: a backend snapshot in SQLite.

One SQLite file (stdlib ``sqlite3``) in WAL mode with ``synchronous=FULL``, so a
committed write survives a crash of the process or the machine, and a file left by
a killed process is recovered by SQLite itself when it is opened again. The file
holds a snapshot of API.md §7.13 split into rows: one row per record of each state
container (``items``: part, position, JSON) and a few single values (``meta``: the
snapshot version, the random generator, the clock), so that a request rewrites only
the records it changed. Which records changed is :mod:`tfa_mock.persist`'s
business; this module reads and writes rows, checks the file and assembles the
snapshot on load. It never resets a file it cannot read: that is a StateError.

The connection holds an exclusive lock for its lifetime (``locking_mode=EXCLUSIVE``):
a second server on the same file fails at start instead of mixing two states. The
operating system drops the lock when the process dies, even by SIGKILL.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import typing
from dataclasses import dataclass, field
from typing import Any

from .backend.snapshot import CONTAINERS

__all__ = ["SCHEMA_VERSION", "Changes", "StateError", "StateStore", "part_kind"]

SCHEMA_VERSION = 1  # PRAGMA user_version of the file; bump when the tables change

_SCHEMA = (
    "CREATE TABLE items (part TEXT NOT NULL, seq INTEGER NOT NULL,"
    " body TEXT NOT NULL, PRIMARY KEY (part, seq)) WITHOUT ROWID",
    "CREATE TABLE meta (name TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID",
)

PartKind = typing.Literal["object", "pairs", "list"]


class StateError(Exception):
    """The state file cannot be opened, read or written (the message says why)."""


def part_kind(name: str) -> PartKind:
    """How state container *name* appears in a snapshot (backend/snapshot.py): a
    dict with string keys as an object, other dicts as ``[[key, value], ...]``,
    lists as lists. Rows of dicts hold ``[key, value]``, rows of lists the value."""
    tp = CONTAINERS[name]
    if typing.get_origin(tp) is dict:
        return "object" if typing.get_args(tp)[0] is str else "pairs"
    return "list"


@dataclass(slots=True, kw_only=True)
class Changes:
    """Rows to write in one transaction; *full* first empties the file."""

    full: bool = False
    upserts: list[tuple[str, int, str]] = field(default_factory=list)
    deletes: list[tuple[str, int]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.full or bool(self.upserts or self.deletes or self.meta)


class StateStore:
    """One open state file (see the module docstring); thread-safe."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            # Autocommit mode: transactions are the explicit BEGIN/COMMIT of write().
            self._db = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=0
            )
        except sqlite3.Error as error:
            raise StateError(f"{path}: cannot open: {error}") from None
        try:
            self._open()
        except sqlite3.Error as error:
            self._db.close()
            raise StateError(f"{path}: {_reason(error)}") from None
        except StateError:
            self._db.close()
            raise

    def _open(self) -> None:
        db = self._db
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
        # Looked at before anything is changed: another application's file stays
        # exactly as it was (even its journal mode).
        new = self._check_schema()
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StateError(f"{self.path}: cannot use write-ahead logging ({mode})")
        db.execute("PRAGMA synchronous=FULL")
        # A write at once takes the exclusive lock now, not at the first request.
        db.execute("BEGIN IMMEDIATE")
        try:
            if new:
                for statement in _SCHEMA:
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        problems = [row[0] for row in db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise StateError(f"{self.path}: damaged: {'; '.join(problems[:3])}")

    def _check_schema(self) -> bool:
        """Whether the file is new (empty); StateError unless it is new or ours."""
        db = self._db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if version == 0 and not tables:
            return True
        if version != SCHEMA_VERSION or not {"items", "meta"} <= tables:
            raise StateError(
                f"{self.path}: not a tfa-mock state file of schema version "
                f"{SCHEMA_VERSION} (found version {version})"
            )
        return False

    def close(self) -> None:
        """Close the file (and release its lock); later calls do nothing."""
        with self._lock:
            self._db.close()

    def load(self, *, real_now: float) -> dict[str, Any] | None:
        """The last saved snapshot (API.md §7.13), or None for a new file.

        A running clock is carried forward by the real time since the save (the
        caller passes the real time *real_now*), so it stays real time plus the same
        offset across a restart (API.md §8); a frozen clock comes back at its instant.
        """
        with self._lock:
            try:
                meta = dict(self._db.execute("SELECT name, body FROM meta"))
                rows = list(
                    self._db.execute("SELECT part, body FROM items ORDER BY part, seq")
                )
            except sqlite3.Error as error:
                raise StateError(f"{self.path}: {_reason(error)}") from None
        if not meta:
            if rows:
                raise StateError(f"{self.path}: records without a snapshot header")
            return None
        try:
            return _assemble(meta, rows, real_now)
        except (ValueError, KeyError, TypeError) as error:
            raise StateError(f"{self.path}: unreadable state: {error}") from None

    def write(self, changes: Changes) -> None:
        """Apply *changes* in one transaction, durable when this returns."""
        if not changes:
            return
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    if changes.full:
                        db.execute("DELETE FROM items")
                        db.execute("DELETE FROM meta")
                    db.executemany(
                        "DELETE FROM items WHERE part = ? AND seq = ?", changes.deletes
                    )
                    db.executemany(
                        "INSERT OR REPLACE INTO items (part, seq, body) VALUES (?,?,?)",
                        changes.upserts,
                    )
                    db.executemany(
                        "INSERT OR REPLACE INTO meta (name, body) VALUES (?, ?)",
                        changes.meta.items(),
                    )
                    db.execute("COMMIT")  # synchronous=FULL: on disk when it returns
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                raise StateError(f"{self.path}: cannot save: {error}") from None


def _assemble(
    meta: dict[str, str], rows: list[tuple[str, str]], real_now: float
) -> dict[str, Any]:
    """The snapshot of the rows of ``meta`` and ``items``."""
    if set(meta) != {"version", "random", "clock"}:
        raise ValueError(f"unexpected header {sorted(meta)}")
    snapshot: dict[str, Any] = {"version": json.loads(meta["version"])}
    parts: dict[str, list[Any]] = {name: [] for name in CONTAINERS}
    for part, body in rows:
        if part not in parts:
            raise ValueError(f"unknown part {part!r}")
        parts[part].append(json.loads(body))
    for name, values in parts.items():
        kind = part_kind(name)
        if kind == "object":
            snapshot[name] = {key: value for key, value in values}
        else:
            snapshot[name] = values
    snapshot["random"] = json.loads(meta["random"])
    clock = json.loads(meta["clock"])
    now, frozen, saved_at = clock["now"], clock["frozen"], clock["real"]
    if not frozen:
        # Never back: timestamps of the saved records are at most the saved `now`.
        now += max(0.0, real_now - saved_at)
    snapshot["clock"] = {"now": now, "frozen": frozen}
    return snapshot


def _reason(error: sqlite3.Error) -> str:
    text = str(error)
    if "locked" in text:
        return "in use by another process (database is locked)"
    if "not a database" in text or "malformed" in text:
        return f"damaged or not a tfa-mock state file ({text})"
    return text
