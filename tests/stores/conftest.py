"""The stores under test: one fixture, parametrized over every engine.

Each engine is made once per test session (per xdist worker), and every test takes
fresh keys (:func:`fresh`), so tests share engines without sharing state.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.redis_server import Cluster, RedisServer
from tfa_core.stores import MemoryStore, SQLiteStore, Store

ENGINES = ["memory", "sqlite", "redis", "cluster"]


def fresh(prefix: str = "k") -> str:
    """A key no other test (or hypothesis example) uses."""
    return f"{prefix}-{uuid.uuid4().hex}"


def fresh_pair() -> tuple[str, str]:
    """Two fresh keys in one Redis Cluster slot (one {hash tag}), for attempt()."""
    tag = "{" + uuid.uuid4().hex + "}"
    return f"{tag}:attempts", f"{tag}:step"


@pytest.fixture(scope="session")
def sqlite_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sqlite") / "tfa.db"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for this test session (this xdist worker)."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One 3-node Redis Cluster for this test session (this xdist worker)."""
    cluster = Cluster(tmp_path_factory.mktemp("cluster"))
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session", params=ENGINES)
def store(request: pytest.FixtureRequest, sqlite_path: Path) -> Iterator[Store]:
    """Each engine of the contract, in turn."""
    from tfa_core.stores import RedisStore

    name = request.param
    if name == "memory":
        yield MemoryStore()
    elif name == "sqlite":
        sqlite = SQLiteStore(sqlite_path)
        yield sqlite
        sqlite.close()
    elif name == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        client = server.client()
        yield RedisStore(client)
        client.close()
    else:
        cluster: Cluster = request.getfixturevalue("redis_cluster")
        cluster_client = cluster.client(decode_responses=True)  # both settings work
        yield RedisStore(cluster_client, prefix="app1:")
        cluster_client.close()
