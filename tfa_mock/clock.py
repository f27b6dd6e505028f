"""The mock clock: real time plus an offset, or a frozen instant (API.md §8).

Everything time-based in the mock reads :meth:`MockClock.now`; this module is the one
place that reads the real clock for mock time. Listeners (the callback delivery worker)
are told of every change so they can run what became due without polling.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["MockClock"]


class MockClock:
    """A clock that runs at real speed from an offset, or stands still when frozen."""

    def __init__(self, *, real: Callable[[], float] = time.time) -> None:
        self._real = real
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: float | None = None
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        """The mock time in float Unix seconds."""
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return self._real() + self._offset

    def real(self) -> float:
        """Real (wall-clock) time: only to date a running clock's offset when its
        state is saved and restored across a restart (``--state``)."""
        return self._real()

    @property
    def frozen(self) -> bool:
        """Whether the clock stands still."""
        return self._frozen_at is not None

    def freeze(self) -> None:
        """Stop the clock at its current value."""
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = self._real() + self._offset
        self._changed()

    def unfreeze(self) -> None:
        """Run the clock at real speed from its current value."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - self._real()
                self._frozen_at = None
        self._changed()

    def set(self, when: float) -> None:
        """Jump to *when*, keeping the frozen state."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = float(when)
            else:
                self._offset = float(when) - self._real()
        self._changed()

    def advance(self, seconds: float) -> None:
        """Move the clock forward by *seconds* (>= 0)."""
        if seconds < 0:
            raise ValueError("seconds: must be >= 0")
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds
        self._changed()

    def reset(self) -> None:
        """Back to real time, running."""
        with self._lock:
            self._offset = 0.0
            self._frozen_at = None
        self._changed()

    def to_dict(self) -> dict[str, Any]:
        """The clock as a plain dict (for snapshots): its current value and state."""
        return {"now": self.now(), "frozen": self.frozen}

    def restore(self, data: dict[str, Any]) -> None:
        """Restore a :meth:`to_dict` value: the same time, frozen or running."""
        with self._lock:
            when = float(data["now"])
            if data.get("frozen"):
                self._frozen_at = when
            else:
                # Offset first: now() reads without the lock, and must never see
                # the clock running on a stale offset (as unfreeze() orders it).
                self._offset = when - self._real()
                self._frozen_at = None
        self._changed()

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call *listener* (without arguments, on the changing thread) after changes."""
        with self._lock:
            self._listeners.append(listener)

    def _changed(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()
