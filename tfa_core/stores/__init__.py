"""Atomic shared state for apps with many processes: one contract, four engines.

:class:`MemoryStore` (one process), :class:`SQLiteStore` (processes on one
machine), and ``RedisStore`` (machines; a ``redis.Redis`` or a
``redis.cluster.RedisCluster``). ``RedisStore`` is the one part of tfa_core that
needs a package beyond the standard library (redis-py, ``pip install tfa[redis]``);
it is imported on first use of the name, so ``import tfa_core.stores`` never
needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import AttemptReason, Store
from .memory import MemoryStore
from .sqlite import SQLiteStore

if TYPE_CHECKING:
    from .redis import RedisStore

__all__ = ["AttemptReason", "MemoryStore", "RedisStore", "SQLiteStore", "Store"]


def __getattr__(name: str) -> object:
    # RedisStore needs redis-py: imported on first use, so the rest never does.
    if name == "RedisStore":
        from .redis import RedisStore

        return RedisStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
