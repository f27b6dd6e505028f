"""Fixtures of the client's tests against the real mock: a seeded backend at a frozen
instant, served by MockServer on a free loopback port, and a client whose sleeps move
the mock clock (so retries and polling take no real time)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tfa_core.client import Client
from tfa_mock.backend import Backend
from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer

NOW = 1700000000.0
API_KEY = "client_test_key_0123456789abcdef"


@pytest.fixture
def backend() -> Iterator[Backend]:
    """A seeded backend whose clock stands at NOW (2023-11-14 22:13:20 UTC)."""
    the_backend = Backend(seed=7, api_key=API_KEY)
    the_backend.clock.freeze()
    the_backend.clock.set(NOW)
    yield the_backend
    the_backend.close()  # the callback worker, if a decision started it


@pytest.fixture
def server(backend: Backend) -> Iterator[MockServer]:
    config = MockConfig(port=0, seed=7, api_key=API_KEY)
    with MockServer(config, backend=backend) as running:
        yield running


# Generous: these tests are not about timeouts, and a loaded machine (or the first
# load of the phone-number metadata) can make one answer slow.
TIMEOUT = 30.0


@pytest.fixture
def tfa(server: MockServer, backend: Backend) -> Client:
    """The client under test, its waits on the mock clock."""
    return Client(
        API_KEY,
        server.url,
        timeout=TIMEOUT,
        sleep=backend.clock.advance,
        monotonic=backend.clock.now,
    )


def latest_code(backend: Backend, to: str, channel: str | None = None) -> str:
    """The code of the newest inbox message to *to* (read under the backend's lock)."""
    with backend.lock:
        found = [
            m
            for m in backend.messages
            if m.to == to and (channel is None or m.channel == channel)
        ]
    assert found, f"no message to {to}"
    code = found[-1].code
    assert code is not None
    return code


def set_app(backend: Backend, **settings: Any) -> None:
    """Change the default app's settings in place (as the control API would)."""
    with backend.lock:
        for name, value in settings.items():
            setattr(backend.apps[1], name, value)
