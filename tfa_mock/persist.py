"""Durable state: every answered request is saved to the state file before it leaves.

:func:`install` restores a backend from its state file (:mod:`tfa_mock.store`) and
adds an ``after_request`` hook that saves the backend's state once the answer is
known and before its body is sent, so an answer that reached a client is on disk
(issue 8: ``tfa-mock serve --state FILE``). Every request saves, whatever its
status: errors change state too (the journal, rate-limit events).

A save is incremental. The :class:`Tracker` remembers, per record of every state
container, the live object, a deep copy of it and the row it was written to; a
record rewrites its row only when it is another object or no longer equal to the
copy, so a request costs a walk of equality checks plus the records it changed. The
rows are what ``export_snapshot`` would show (a test compares them), and loading
them gives a snapshot that ``restore_snapshot`` checks in full. Not here: the
snapshot format itself (backend/snapshot.py) and SQLite (store.py).
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import threading
import typing
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g

from .backend import Backend

# snapshot.py's codec for one value: rows must be exactly what export_state writes.
from .backend.snapshot import CONTAINERS, VERSION, _encode
from .store import Changes, StateError, StateStore, part_kind
from .wire import errors
from .wire.render import content_type, render

__all__ = ["EXTENSION", "Tracker", "close", "install"]

EXTENSION = "tfa_state"  # app.extensions key of the Tracker
_log = logging.getLogger("tfa_mock")
_MISSING = object()


def _dumps(value: Any) -> str:
    # ensure_ascii: lone surrogates from JSON input must not reach SQLite's UTF-8.
    return json.dumps(value, separators=(",", ":"))


@dataclass(slots=True)
class _Entry:
    """What was last written for one record: the object, a copy, its row."""

    ref: Any
    copy: Any
    seq: int


class Tracker:
    """Saves a backend's state to a store, writing only the records that changed."""

    def __init__(self, backend: Backend, store: StateStore) -> None:
        self.backend = backend
        self.store = store
        self._lock = threading.Lock()  # one save at a time, in the order of states
        self._full = True
        self._entries: dict[str, dict[Hashable, _Entry]] = {}
        self._next_seq: dict[str, int] = {}
        self._random: Any = _MISSING
        self._clock: tuple[bool, float] | None = None

    def save(self) -> None:
        """Make the backend's current state durable (StateError when it fails).

        The changes are taken under the backend lock, so they are one consistent
        state that includes every answer given so far, and written outside it; the
        tracker's own lock keeps the writes in the order the states were taken.
        """
        with self._lock:
            try:
                with self.backend.lock:
                    changes = self._diff()
                self.store.write(changes)
            except BaseException:
                self._full = True  # the file may not match what we remember
                raise

    # -- the diff (backend lock held) --------------------------------------------

    def _diff(self) -> Changes:
        changes = Changes(full=self._full)
        if self._full:
            self._entries = {name: {} for name in CONTAINERS}
            self._next_seq = dict.fromkeys(CONTAINERS, 0)
            self._random, self._clock = _MISSING, None
            changes.meta["version"] = _dumps(VERSION)
            self._full = False
        for name in CONTAINERS:
            self._diff_part(name, changes)
        self._diff_random(changes)
        self._diff_clock(changes)
        return changes

    def _diff_part(self, name: str, changes: Changes) -> None:
        container = getattr(self.backend, name)
        entries = self._entries[name]
        records: Iterable[tuple[Hashable, Any]]
        if isinstance(container, dict):  # dict records match by key
            records = container.items()
            gone = entries.keys() - container.keys()
        else:  # list records by identity (an entry's reference keeps its id taken)
            records = list(zip(_identities(container), container, strict=True))
            gone = entries.keys() - {match for match, _ in records}
        last = -1  # rows keep the container's order: seq rises along it
        for match, value in records:
            entry = entries.get(match)
            if entry is not None and entry.seq > last:
                last = entry.seq
                if value is entry.ref and value == entry.copy:
                    continue
                entry.ref, entry.copy = value, copy.deepcopy(value)
            else:
                if entry is not None:  # moved before records it used to follow
                    changes.deletes.append((name, entry.seq))
                last = self._next_seq[name]
                self._next_seq[name] = last + 1
                entries[match] = _Entry(value, copy.deepcopy(value), last)
            changes.upserts.append((name, last, self._row(name, match, value)))
        for match in gone:
            changes.deletes.append((name, entries.pop(match).seq))

    def _row(self, name: str, key: Any, value: Any) -> str:
        key_tp, value_tp = _item_types(name)
        encoded = _encode(value_tp, value)
        if name == "deliveries":
            # As export_state: an attempt in flight belongs to this process.
            encoded["in_flight"] = False
        if part_kind(name) == "list":
            return _dumps(encoded)
        return _dumps([_encode(key_tp, key), encoded])

    def _diff_random(self, changes: Changes) -> None:
        try:
            state = self.backend.rng.getstate()
        except NotImplementedError:  # SystemRandom: the OS keeps the state
            state = None
        if state == self._random:
            return
        self._random = state
        if state is None:
            changes.meta["random"] = _dumps(None)
        else:
            version, internal, gauss_next = state
            changes.meta["random"] = _dumps([version, list(internal), gauss_next])

    def _diff_clock(self, changes: Changes) -> None:
        clock = self.backend.clock
        # Real time only dates a running clock's offset (API.md §8; store.load).
        real = clock.real()
        now, frozen = clock.now(), clock.frozen
        # A running clock is real time plus an offset: only a new offset is news.
        value = now if frozen else now - real
        previous = self._clock
        if (
            previous is not None
            and previous[0] == frozen
            and abs(value - previous[1]) <= (0.0 if frozen else 1e-3)
        ):
            return
        self._clock = (frozen, value)
        changes.meta["clock"] = _dumps({"now": now, "frozen": frozen, "real": real})


def _identities(records: list[Any]) -> list[Hashable]:
    """Match keys of list records: their ids, and (id, n) for an object repeated."""
    ids: list[Hashable] = [id(value) for value in records]
    if len(set(ids)) == len(ids):
        return ids
    counts: dict[Hashable, int] = {}
    keys: list[Hashable] = []
    for ident in ids:
        n = counts.get(ident, 0)
        counts[ident] = n + 1
        keys.append(ident if n == 0 else (ident, n))
    return keys


@functools.cache
def _item_types(name: str) -> tuple[Any, Any]:
    args = typing.get_args(CONTAINERS[name])
    return (args[0], args[1]) if len(args) == 2 else (None, args[0])


# -- Flask wiring --------------------------------------------------------------------


def install(app: Flask, backend: Backend, path: str) -> Tracker:
    """Restore *backend* from the state file at *path* (a new file starts from the
    backend as it is) and save after every request; StateError when the file cannot
    be used. Install it before the app's journal hook, so that this hook runs after
    it (Flask runs ``after_request`` hooks in reverse order) and saves the entry."""
    store = StateStore(path)
    try:
        saved = store.load(real_now=backend.clock.real())
        if saved is not None:
            try:
                backend.restore_snapshot(saved)
            except errors.ApiError:
                raise StateError(
                    f"{path}: holds no state this version of tfa-mock can restore"
                ) from None
        tracker = Tracker(backend, store)
        tracker.save()  # the start state (e.g. a random API key) before any answer
    except BaseException:
        store.close()
        raise
    app.extensions[EXTENSION] = tracker

    @app.after_request
    def save_state(response: Response) -> Response:
        try:
            tracker.save()
        except Exception:  # a full disk, or a bug: either way not durable
            _log.exception("state not saved to %s", path)
            # The change may be lost: no success may leave (issue 8).
            failure = errors.InjectedFault(500, "60000", "State could not be saved")
            fmt = g.get("tfa_fmt", "json")
            return Response(
                render(failure.body(), fmt), 500, content_type=content_type(fmt)
            )
        return response

    return tracker


def close(app: Flask) -> None:
    """Close the state file of *app*, if it has one (releases the file's lock)."""
    tracker = app.extensions.get(EXTENSION)
    if isinstance(tracker, Tracker):
        tracker.store.close()
