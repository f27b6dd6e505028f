"""MockServer's connection threads: reused, yet never shared by two connections."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import pytest

from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer


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


def test_threads_are_reused_for_sequential_connections(server: MockServer) -> None:
    def connection_threads() -> int:
        return sum(t.name == "tfa-mock-conn" for t in threading.enumerate())

    before = connection_threads()
    for _ in range(30):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        assert health(conn) == 200
        conn.close()
    # One connection at a time: at most a couple of threads (a closing connection's
    # thread may not be idle yet when the next one arrives), not thirty.
    assert connection_threads() - before <= 3
