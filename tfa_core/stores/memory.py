"""MemoryStore: the store of one process, a dict behind a lock.

Thread-safe: each operation holds one lock for its read, decision and write, and
writes nothing when it raises. Not shared between processes (each process, and
each forked child, has its own copy): use SQLiteStore or RedisStore for that.
Keys expire on the store's *clock* (``time.monotonic`` unless another is given:
the one clock a store reads, for TTLs only; every rule uses the caller's ``now``);
expired keys are dropped when read and in a sweep every few thousand writes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .base import decode, encode
from .local import Kind, LocalStore, corrupt

__all__ = ["MemoryStore"]

_SWEEP_EVERY = 4096


class _MemoryTransaction:
    __slots__ = ("data", "now", "writes")

    def __init__(self, data: dict[str, tuple[float, Kind, object]], now: float) -> None:
        self.data = data
        self.now = now
        self.writes: dict[str, tuple[float, Kind, object] | None] = {}

    def get(self, key: str, kind: Kind) -> object | None:
        entry = self.writes[key] if key in self.writes else self.data.get(key)
        if entry is None or entry[0] <= self.now:
            return None
        if entry[1] != kind:
            raise corrupt(key, entry[1], kind)
        value = entry[2]
        # JSON values are kept as text, so no caller holds a reference into the store.
        return decode(value, key) if kind == "json" else value  # type: ignore[arg-type]

    def put(self, key: str, kind: Kind, value: object, ttl: float) -> None:
        stored = encode(value, key) if kind == "json" else value
        self.writes[key] = (self.now + ttl, kind, stored)

    def delete(self, key: str) -> None:
        self.writes[key] = None


class MemoryStore(LocalStore):
    """The :class:`~tfa_core.stores.Store` of one process (thread-safe).

    *clock* gives the seconds that TTLs run on.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._data: dict[str, tuple[float, Kind, object]] = {}
        self._lock = threading.Lock()
        self._writes = 0

    @contextmanager
    def transaction(self) -> Iterator[_MemoryTransaction]:
        """One atomic step under the lock; its writes land only when it succeeds."""
        with self._lock:
            now = self._clock()
            tx = _MemoryTransaction(self._data, now)
            yield tx
            data = self._data
            for key, entry in tx.writes.items():
                if entry is None:
                    data.pop(key, None)
                else:
                    data[key] = entry
            self._writes += len(tx.writes)
            if self._writes >= _SWEEP_EVERY:
                self._writes = 0
                for key in [k for k, e in data.items() if e[0] <= now]:
                    del data[key]

    def __len__(self) -> int:
        """The number of keys held, expired ones included until they are swept."""
        return len(self._data)

    def __repr__(self) -> str:
        return f"MemoryStore(<{len(self._data)} keys>)"
