"""pytest plugin of tfa_mock (entry point ``pytest11``): the ``tfa_mock`` fixtures.

* ``tfa_mock``: a real mock server on a free loopback port, one per test session
  (one per worker under pytest-xdist), reset in process before each test, its clock
  frozen at :data:`FIXED_NOW`. Point the application under test at ``tfa_mock.url``
  with ``tfa_mock.api_key``; read codes and drive the device with the helpers.
* ``tfa_mock_app``: the same helpers on the mock's Flask app and its test client,
  for in-process tests without a socket.
* ``tfa_mock_intercept``: the same helpers, with HTTP to ``api.tfa.com`` and
  ``api.authy.com`` from requests, httpx and the tfa client caught and answered
  by the mock in process (:mod:`tfa_mock.intercept`).

All three share one backend per session; ``client()`` on each is a tfa client on
the mock in process.

When a test that used one of the fixtures fails, its report shows the inbox and the last
journaled API requests. The helpers call the backend directly (the operations behind
the control API of API.md §7), never over HTTP. This module imports Flask and the
mock only when a fixture is first used, so loading the plugin costs nothing.

ini options: ``tfa_mock_api_key`` (the default app's key), ``tfa_mock_seed`` (the
random generator's seed, so ids, secrets and codes repeat from run to run) and
``tfa_mock_now`` (the Unix time the clock stands at when each test starts).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

# The helpers live in .handle (no pytest there); these names stay importable here.
from .handle import DEFAULT_API_KEY as DEFAULT_API_KEY
from .handle import DEFAULT_SEED as DEFAULT_SEED
from .handle import FIXED_NOW as FIXED_NOW
from .handle import Inbox as Inbox
from .handle import MockHandle

if TYPE_CHECKING:
    from flask import Flask

    from tfa_core.client import Client

    from .backend import Backend
    from .intercept import Interception, TestClient
    from .server import MockServer

__all__ = [
    "TfaMock",
    "TfaMockApp",
    "tfa_mock",
    "tfa_mock_app",
    "tfa_mock_intercept",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("tfa_mock_api_key", "API key of the tfa mock's default app")
    parser.addini("tfa_mock_seed", "seed of the tfa mock's random generator")
    parser.addini("tfa_mock_now", "Unix time of the tfa mock's clock at test start")


class TfaMock(MockHandle):
    """The ``tfa_mock`` fixture: a real server; ``url`` is its base URL."""

    def __init__(self, server: MockServer, api_key: str) -> None:
        super().__init__(server.backend, api_key, server.app, server.url)
        self.server = server
        self.url = server.url

    def client(self, api_key: str | None = None, **options: Any) -> Client:
        """A tfa client on this mock in process, no socket; its base URL is
        :attr:`url` (see :meth:`MockHandle.in_process_client`)."""
        return self.in_process_client(api_key, **options)


class TfaMockApp(MockHandle):
    """The ``tfa_mock_app`` fixture: the mock's Flask app and a test client.

    ``client`` is Flask's test client (``client.post(...)``); called,
    ``client()`` is a tfa client on the same app in process (see
    :meth:`MockHandle.in_process_client`).
    """

    def __init__(self, flask_app: Flask, client: TestClient, api_key: str) -> None:
        backend = flask_app.extensions["tfa_backend"]
        super().__init__(backend, api_key, flask_app, "http://localhost")
        self.flask_app = flask_app
        self.client = client
        client.handle = self


@dataclass(slots=True, kw_only=True)
class _Settings:
    api_key: str
    seed: int
    now: float


def _settings(config: pytest.Config) -> _Settings:
    def ini(name: str) -> str:
        value = config.getini(name)
        return value.strip() if isinstance(value, str) else ""

    return _Settings(
        api_key=ini("tfa_mock_api_key") or DEFAULT_API_KEY,
        seed=int(ini("tfa_mock_seed") or DEFAULT_SEED),
        now=float(ini("tfa_mock_now") or FIXED_NOW),
    )


@pytest.fixture(scope="session")
def _tfa_mock_flask(pytestconfig: pytest.Config) -> Flask:
    from .app import create_app
    from .config import MockConfig

    settings = _settings(pytestconfig)
    config = MockConfig(port=0, seed=settings.seed, api_key=settings.api_key)
    return create_app(config)


@pytest.fixture(scope="session")
def _tfa_mock_server(_tfa_mock_flask: Flask) -> Iterator[MockServer]:
    from .server import MockServer

    server = MockServer(_tfa_mock_flask.extensions["tfa_config"], app=_tfa_mock_flask)
    server.start()
    yield server
    server.stop()


def _fresh(backend: Backend, now: float) -> None:
    """API.md §7.2 full reset, then the clock frozen at *now*."""
    backend.reset_all()
    backend.clock.freeze()
    backend.clock.set(now)


@pytest.fixture
def tfa_mock(_tfa_mock_server: MockServer, pytestconfig: pytest.Config) -> TfaMock:
    """A running tfa mock, fresh for this test (see :class:`TfaMock`)."""
    settings = _settings(pytestconfig)
    _fresh(_tfa_mock_server.backend, settings.now)
    return TfaMock(_tfa_mock_server, settings.api_key)


@pytest.fixture
def tfa_mock_app(
    _tfa_mock_flask: Flask, pytestconfig: pytest.Config
) -> Iterator[TfaMockApp]:
    """The tfa mock in process, fresh for this test (see :class:`TfaMockApp`)."""
    settings = _settings(pytestconfig)
    _fresh(_tfa_mock_flask.extensions["tfa_backend"], settings.now)
    from .intercept import TestClient

    client = TestClient(_tfa_mock_flask, _tfa_mock_flask.response_class)
    with client:
        yield TfaMockApp(_tfa_mock_flask, client, settings.api_key)


@pytest.fixture(scope="session")
def _tfa_mock_interception(
    _tfa_mock_flask: Flask, pytestconfig: pytest.Config
) -> Interception:
    from .intercept import Interception

    api_key = _settings(pytestconfig).api_key
    return Interception(app=_tfa_mock_flask, api_key=api_key)


@pytest.fixture
def tfa_mock_intercept(
    _tfa_mock_interception: Interception, pytestconfig: pytest.Config
) -> Iterator[Interception]:
    """The tfa mock in process with ``api.tfa.com`` and ``api.authy.com``
    intercepted for this test (see :func:`tfa_mock.intercept`)."""
    _fresh(_tfa_mock_interception.backend, _settings(pytestconfig).now)
    with _tfa_mock_interception as mock:
        yield mock


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        funcargs = getattr(item, "funcargs", {})
        handle = (
            funcargs.get("tfa_mock")
            or funcargs.get("tfa_mock_app")
            or funcargs.get("tfa_mock_intercept")
        )
        if isinstance(handle, MockHandle):
            report.sections.append(("tfa_mock: inbox and requests", handle.describe()))
    return report
