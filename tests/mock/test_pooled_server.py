"""MockServer's connection threads: reused, yet never shared by two connections."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.support.wait import wait_for
from tfa_mock.app import create_app
from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer, PooledWSGIServer, QuietHandler


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(MockConfig(port=0)) as running:
        yield running


def health(conn: http.client.HTTPConnection) -> int:
    conn.request("GET", "/_mock/health")
    resp = conn.getresponse()
    assert json.loads(resp.read())["ok"] is True
    return resp.status


def test_many_open_keep_alive_connections_do_not_starve_a_new_one(
    server: MockServer,
) -> None:
    held = [http.client.HTTPConnection("127.0.0.1", server.port) for _ in range(24)]
    try:
        for conn in held:
            assert health(conn) == 200  # each connection now holds a thread, idle
        fresh = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        assert health(fresh) == 200
        fresh.close()
        for conn in held:  # and every held connection still answers
            assert health(conn) == 200
    finally:
        for conn in held:
            conn.close()


def connection_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "tfa-mock-conn"}


def serve_sequentially(
    pooled: PooledWSGIServer, port: int, times: int
) -> set[threading.Thread]:
    """The connection threads that appeared while *times* connections came and
    went one after the other (kept as objects: a new thread is a new object), each
    opened once the previous one's thread was back in the pool."""
    before = connection_threads()
    seen: set[threading.Thread] = set()
    for _ in range(times):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        assert health(conn) == 200
        conn.close()
        seen |= connection_threads() - before
        # The answer can reach us before its thread is idle again: wait for that
        # (the condition the reuse depends on), not for any number of threads.
        wait_for(lambda: pooled.idle_threads == 1, what="the thread back in the pool")
    return seen


def test_threads_are_reused_for_sequential_connections(server: MockServer) -> None:
    pooled = server._server
    assert isinstance(pooled, PooledWSGIServer)
    assert len(serve_sequentially(pooled, server.port, 20)) == 1


def test_reuse_also_with_a_listening_socket_passed_in() -> None:
    # The CLI binds the socket itself and passes its fd (werkzeug closes a
    # placeholder socket then, which must not count as closing the server).
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        pooled = PooledWSGIServer(
            "127.0.0.1", port, create_app(), QuietHandler, fd=listener.fileno()
        )
    serving = threading.Thread(target=pooled.serve_forever, daemon=True)
    serving.start()
    try:
        assert len(serve_sequentially(pooled, port, 20)) == 1
    finally:
        pooled.shutdown()
        pooled.server_close()
        serving.join(timeout=30)
