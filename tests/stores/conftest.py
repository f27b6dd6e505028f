"""The stores under test: one fixture, parametrized over every engine.

Each engine is made once per test session (per xdist worker), and every test takes
fresh keys (:func:`fresh`), so tests share engines without sharing state.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tfa_core.stores import MemoryStore, SQLiteStore, Store

ENGINES = ["memory", "sqlite"]


def fresh(prefix: str = "k") -> str:
    """A key no other test (or hypothesis example) uses."""
    return f"{prefix}-{uuid.uuid4().hex}"


@pytest.fixture(scope="session")
def sqlite_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sqlite") / "tfa.db"


@pytest.fixture(scope="session", params=ENGINES)
def store(request: pytest.FixtureRequest, sqlite_path: Path) -> Iterator[Store]:
    """Each engine of the contract, in turn."""
    name = request.param
    if name == "memory":
        yield MemoryStore()
    elif name == "sqlite":
        sqlite = SQLiteStore(sqlite_path)
        yield sqlite
        sqlite.close()
    else:  # pragma: no cover - a name in ENGINES without a branch here
        raise AssertionError(name)
