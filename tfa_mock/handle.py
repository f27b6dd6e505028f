"""The helpers every face of the mock in a test offers: :class:`MockHandle`.

The ``tfa_mock`` and ``tfa_mock_app`` fixtures and :func:`tfa_mock.intercept` are
each a :class:`MockHandle` on one backend: the inbox, the clock, codes, the
simulated device, approvals, faults, the journal, deliveries, other apps, and a
tfa client on the mock in process. The helpers call the backend directly (the
operations behind the control API of API.md §7), never over HTTP. Imports neither
pytest nor Flask, so it serves outside pytest too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from tfa_core.client import Client

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

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_SEED",
    "FIXED_NOW",
    "Inbox",
    "MockHandle",
]

FIXED_NOW = 1700000000.0  # 2023-11-14 22:13:20 UTC, the instant of API.md's examples
DEFAULT_API_KEY = "tfa_mock_pytest_api_key_00000000"  # 32 characters, like real keys
DEFAULT_SEED = 0
_REPORT_REQUESTS = 20  # journal entries shown in a failure report


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

    def __init__(
        self, backend: Backend, api_key: str, wsgi_app: Flask, base_url: str
    ) -> None:
        self.backend = backend
        self.api_key = api_key
        self.inbox = Inbox(backend)
        self._wsgi_app = wsgi_app
        self._base_url = base_url

    def in_process_client(self, api_key: str | None = None, **options: Any) -> Client:
        """A :class:`tfa_core.client.Client` that calls the mock's WSGI app in this
        process (no socket): *api_key* defaults to the default app's, and the
        client's ``sleep`` and ``monotonic`` are the mock clock's ``advance`` and
        ``now`` (so ``wait_for_approval`` moves mock time, never waits). *options*
        go to ``Client`` (``timeout``, ``retries``, ``base_url``, ``sleep``, ...)."""
        from tfa_core.client import Client

        from .intercept import WsgiTransport

        sleep: Callable[[float], object] = self.backend.clock.advance
        options.setdefault("base_url", self._base_url)
        options.setdefault("sleep", sleep)
        options.setdefault("monotonic", self.backend.clock.now)
        options.setdefault("transport", WsgiTransport(self._wsgi_app))
        return Client(api_key or self.api_key, **options)

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
