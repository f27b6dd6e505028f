"""pytest plugin of tfa_mock (entry point ``pytest11``): the ``tfa_mock`` fixtures.

* ``tfa_mock``: a real mock server on a free loopback port, one per test session
  (one per worker under pytest-xdist), reset in process before each test, its clock
  frozen at :data:`FIXED_NOW`. Point the application under test at ``tfa_mock.url``
  with ``tfa_mock.api_key``; read codes and drive the device with the helpers.
* ``tfa_mock_app``: the same helpers on the mock's Flask app and its test client,
  for in-process tests without a socket. Both share one backend per session.

When a test that used either fixture fails, its report shows the inbox and the last
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

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from .backend import Backend
    from .backend.admin import InboxFilter
    from .backend.records import (
        AppRecord,
        Channel,
        Fault,
        JournalEntry,
        Message,
        UserRecord,
    )
    from .clock import MockClock
    from .server import MockServer

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_SEED",
    "FIXED_NOW",
    "Inbox",
    "MockHandle",
    "TfaMock",
    "TfaMockApp",
    "tfa_mock",
    "tfa_mock_app",
]

FIXED_NOW = 1700000000.0  # 2023-11-14 22:13:20 UTC, the instant of API.md's examples
DEFAULT_API_KEY = "tfa_mock_pytest_api_key_00000000"  # 32 characters, like real keys
DEFAULT_SEED = 0
_REPORT_REQUESTS = 20  # journal entries shown in a failure report


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("tfa_mock_api_key", "API key of the tfa mock's default app")
    parser.addini("tfa_mock_seed", "seed of the tfa mock's random generator")
    parser.addini("tfa_mock_now", "Unix time of the tfa mock's clock at test start")


class Inbox:
    """The fake inbox of SMS, voice and e-mail messages (API.md §7.5)."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def messages(self, **where: Any) -> list[Message]:
        """Messages oldest first; filters ``to``, ``channel``, ``user_id``,
        ``app_id``, ``after`` (a message id)."""
        return self._backend.inbox(_filter(where))

    def latest(self, **where: Any) -> Message | None:
        """The newest matching message, or None."""
        return self._backend.inbox_latest(_filter(where))

    def wait_for(self, *, timeout: float = 5.0, **where: Any) -> Message:
        """The newest matching message, waiting up to *timeout* real seconds for one
        (for applications that send from another thread); TimeoutError else."""
        found = self._backend.inbox_latest(_filter(where), wait=timeout)
        if found is None:
            raise TimeoutError(f"no message matching {where} within {timeout} s")
        return found

    def clear(self) -> None:
        """Remove every message."""
        self._backend.clear_inbox()

    def __iter__(self) -> Iterator[Message]:
        return iter(self.messages())

    def __len__(self) -> int:
        return len(self.messages())


def _filter(where: dict[str, Any]) -> InboxFilter:
    from .backend.admin import InboxFilter

    return InboxFilter(**where)


class MockHandle:
    """What both fixtures offer: the backend and helpers on it."""

    def __init__(self, backend: Backend, api_key: str) -> None:
        self.backend = backend
        self.api_key = api_key
        self.inbox = Inbox(backend)

    @property
    def clock(self) -> MockClock:
        """The mock clock: ``advance(seconds)``, ``set(t)``, ``now()``, ..."""
        return self.backend.clock

    @property
    def headers(self) -> dict[str, str]:
        """Headers that authenticate as the default app."""
        return {"X-TFA-API-Key": self.api_key}

    @property
    def app(self) -> AppRecord:
        """The default app (app_id 1) as it is now."""
        return self.backend.app(1)

    def code_for(self, to: str, *, channel: Channel | None = None) -> str:
        """The code of the newest message to *to* (an E.164 number or an e-mail
        address) that carries one; LookupError when there is none."""
        for message in reversed(self.inbox.messages(to=to, channel=channel)):
            if message.code is not None:
                return message.code
        raise LookupError(f"no code sent to {to}; inbox:\n{self.describe_inbox()}")

    def totp(self, user_id: int, *, generic: bool = False) -> str:
        """The code the user's device app (or generic authenticator) shows now."""
        return self.backend.totp_view(user_id, generic=generic).code

    def user(self, user_id: int) -> UserRecord:
        """The user *user_id* of any app (a copy)."""
        return self.backend.user_record(user_id)

    def install_device(self, user_id: int, kind: str = "android") -> UserRecord:
        """Install the simulated device app on a user (replacing any)."""
        return self.backend.install_device(user_id, kind)

    def remove_device(self, user_id: int) -> UserRecord:
        """Remove the user's device app."""
        return self.backend.remove_device(user_id)

    def approval_requests(self, **where: Any) -> list[dict[str, Any]]:
        """Approval requests as §3.19 documents; filters ``app_id``, ``user_id``,
        ``status``."""
        from .api.onetouch import approval_document

        now = self.backend.now()
        records = self.backend.list_approvals(**where)
        return [approval_document(r, now) for r in records]

    def approve(self, uuid: str) -> dict[str, Any]:
        """Approve a pending request as the device would; its §3.19 document."""
        from .api.onetouch import approval_document

        return approval_document(self.backend.approve(uuid), self.backend.now())

    def deny(self, uuid: str) -> dict[str, Any]:
        """Deny a pending request as the device would; its §3.19 document."""
        from .api.onetouch import approval_document

        return approval_document(self.backend.deny(uuid), self.backend.now())

    def fail_next(
        self,
        endpoint: str,
        *,
        status: int | None = None,
        error_code: str = "60000",
        message: str = "Injected fault",
        times: int = 1,
        to: str | None = None,
        delay_ms: int = 0,
        drop_message: bool = False,
    ) -> Fault:
        """Inject a fault (API.md §7.12) into the next *times* requests to
        *endpoint*; with neither ``drop_message`` nor ``delay_ms`` it answers
        *status* (default 500) with *error_code* and *message*."""
        if status is None and not drop_message and delay_ms == 0:
            status = 500
        return self.backend.add_fault(
            {
                "endpoint": endpoint,
                "status": status,
                "error_code": error_code,
                "message": message,
                "times": times,
                "to": to,
                "delay_ms": delay_ms,
                "drop_message": drop_message,
            }
        )

    @property
    def requests(self) -> list[JournalEntry]:
        """The journal of API requests, newest last (API.md §7.11)."""
        return self.backend.journal_entries()

    @property
    def callbacks(self) -> list[dict[str, Any]]:
        """Callback deliveries and their attempts, oldest first (API.md §7.10)."""
        return self.backend.list_deliveries()

    def new_app(self, name: str, **settings: Any) -> AppRecord:
        """Create another app (API.md §7.4 settings, e.g. ``token_length=6``,
        ``limits={"sends": None}``); its ``api_key`` authenticates as it."""
        return self.backend.new_app({"name": name, **settings})

    def describe_inbox(self) -> str:
        """The inbox, one message a line."""
        lines = [
            f"#{m.id} {m.channel} to {m.to} [{m.purpose}] code={m.code}: {m.body}"
            for m in self.backend.inbox()
        ]
        return "\n".join(lines) or "(empty)"

    def describe(self) -> str:
        """The inbox and the last journaled requests, for failure reports."""
        entries = self.requests[-_REPORT_REQUESTS:]
        requests = [
            f"{e.method} {e.path} -> {e.status}"
            + (f" ({e.error_code})" if e.error_code else "")
            for e in entries
        ]
        return (
            f"inbox:\n{self.describe_inbox()}\n"
            f"last {len(entries)} API requests:\n" + ("\n".join(requests) or "(none)")
        )


class TfaMock(MockHandle):
    """The ``tfa_mock`` fixture: a real server; ``url`` is its base URL."""

    def __init__(self, server: MockServer, api_key: str) -> None:
        super().__init__(server.backend, api_key)
        self.server = server
        self.url = server.url


class TfaMockApp(MockHandle):
    """The ``tfa_mock_app`` fixture: the mock's Flask app and a test client."""

    def __init__(self, flask_app: Flask, client: FlaskClient, api_key: str) -> None:
        super().__init__(flask_app.extensions["tfa_backend"], api_key)
        self.flask_app = flask_app
        self.client = client


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
    with _tfa_mock_flask.test_client() as client:
        yield TfaMockApp(_tfa_mock_flask, client, settings.api_key)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        funcargs = getattr(item, "funcargs", {})
        handle = funcargs.get("tfa_mock") or funcargs.get("tfa_mock_app")
        if isinstance(handle, MockHandle):
            report.sections.append(("tfa_mock: inbox and requests", handle.describe()))
    return report
