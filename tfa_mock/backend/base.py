"""The backend's state and the helpers every operation shares.

All state of one server lives on one :class:`BackendBase` behind one re-entrant lock.
Operations (in the sibling modules) take Python values, read the mock clock once, draw
randomness from the one generator (API.md §8), delegate rules to tfa_core and return
copies of records, never the live ones. No Flask, no HTTP, no JSON or XML here.
"""

from __future__ import annotations

import hmac
import random
import string
import threading
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from tfa_core import ratelimit
from tfa_core.ratelimit import WindowState

from ..clock import MockClock
from ..wire import errors
from .records import (
    AppRecord,
    ApprovalRecord,
    Channel,
    Delivery,
    Fault,
    JournalEntry,
    Message,
    Purpose,
    QrImage,
    SentCode,
    UserRecord,
    VerificationRecord,
)

__all__ = ["DEFAULT_CAP", "STAT_FIELDS", "BackendBase", "trim"]

_ALNUM = string.ascii_letters + string.digits

# Issue 8: the inbox, the journal and the delivery log keep their newest entries
# only, so that memory stays flat however long a server runs.
DEFAULT_CAP = 10_000

# API.md §3.13: the keys of one month's statistics, in their order.
STAT_FIELDS = (
    "sms_count",
    "calls_count",
    "users_count",
    "auths_count",
    "api_calls_count",
)


class BackendBase:
    """State of one mock server, its lock, clock, generator and counters."""

    def __init__(
        self,
        *,
        clock: MockClock | None = None,
        seed: int | None = None,
        api_key: str | None = None,
        app_name: str = "Default App",
        callback_url: str | None = None,
        max_messages: int = DEFAULT_CAP,
        max_journal: int = DEFAULT_CAP,
        max_deliveries: int = DEFAULT_CAP,
    ) -> None:
        for name, cap in (
            ("max_messages", max_messages),
            ("max_journal", max_journal),
            ("max_deliveries", max_deliveries),
        ):
            if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
                raise ValueError(f"{name}: must be an integer >= 1")
        # Caps are settings of this server, not state: a snapshot neither carries
        # nor changes them (a restored longer list is trimmed at its next append).
        self.max_messages = max_messages
        self.max_journal = max_journal
        self.max_deliveries = max_deliveries
        self.clock = clock if clock is not None else MockClock()
        self.lock = threading.RLock()
        # Waiters (inbox.wait_for, inbox/latest?wait=, the page's event stream) wait on
        # `changed`; every change of state bumps `version` and notifies them.
        self.changed = threading.Condition(self.lock)
        self.version = 0
        self.seed = seed
        self.default_api_key = api_key
        self.default_app_name = app_name
        self.default_callback_url = callback_url
        self._init_state()
        self.clock.subscribe(self._clock_changed)

    # -- state -------------------------------------------------------------------

    def _init_state(self) -> None:
        """Back to the start state of API.md §7.2 (clock untouched)."""
        self.rng: random.Random = (
            random.Random(self.seed) if self.seed is not None else random.SystemRandom()
        )
        self.apps: dict[int, AppRecord] = {}
        self.users: dict[int, UserRecord] = {}
        self.phone_index: dict[tuple[int, str], int] = {}
        self.codes: dict[int, list[SentCode]] = {}
        self.messages: list[Message] = []
        self.verifications: dict[str, VerificationRecord] = {}
        self.latest_verification: dict[tuple[int, str], str] = {}
        self.approvals: dict[str, ApprovalRecord] = {}
        self.qr_images: dict[str, QrImage] = {}
        self.journal: list[JournalEntry] = []
        self.faults: list[Fault] = []
        self.windows: dict[tuple[int, str, str], WindowState] = {}
        self.stats: dict[tuple[int, int, int], dict[str, int]] = {}
        self.deliveries: list[Delivery] = []
        self.counters: dict[str, int] = {
            "user": 1000,
            "app": 1,
            "device": 100000,
            "message": 1,
            "delivery": 1,
            "fault": 1,
        }
        self._add_app(
            name=self.default_app_name,
            api_key=self.default_api_key,
            callback_url=self.default_callback_url,
        )

    def now(self) -> float:
        """The mock clock's time."""
        return self.clock.now()

    def touch(self) -> None:
        """Record that state changed and wake everything waiting on :attr:`changed`."""
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def _clock_changed(self) -> None:
        self.touch()
        self._on_clock_change()

    def _on_clock_change(self) -> None:
        """Hook: the clock moved (the delivery worker wakes; API.md §7.3)."""

    def _on_decision(self, record: ApprovalRecord) -> None:
        """Hook: an approval request was approved or denied (callbacks queue here)."""

    def _on_state_restored(self) -> None:
        """Hook: a snapshot replaced the state (the delivery worker resumes)."""

    def next_id(self, counter: str) -> int:
        """Take the next value of a server-wide counter (API.md §8)."""
        value = self.counters[counter]
        self.counters[counter] = value + 1
        return value

    # -- randomness (API.md §8: one generator, drawn on the request thread) --------

    def draw_hex(self, length: int) -> str:
        """*length* lowercase hex digits."""
        return f"{self.rng.getrandbits(4 * length):0{length}x}"

    def draw_uuid(self) -> str:
        """A random (version 4) uuid string."""
        return str(uuidlib.UUID(int=self.rng.getrandbits(128), version=4))

    def draw_api_key(self) -> str:
        """32 random alphanumerics."""
        return "".join(self.rng.choice(_ALNUM) for _ in range(32))

    # -- apps and authentication ---------------------------------------------------

    def _add_app(self, *, name: str, api_key: str | None, **settings: Any) -> AppRecord:
        key = api_key if api_key is not None else self.draw_api_key()
        app = AppRecord(
            app_id=self.next_id("app"),
            object_id=self.draw_hex(24),
            name=name,
            api_key=key,
            **settings,
        )
        self.apps[app.app_id] = app
        return app

    def authenticate(self, api_key: str | None) -> AppRecord | None:
        """The app whose key is *api_key* (constant-time comparison), or None."""
        if not api_key:
            return None
        given = api_key.encode("utf-8", "surrogateescape")
        found: AppRecord | None = None
        with self.lock:
            for app in self.apps.values():
                if hmac.compare_digest(app.api_key.encode("utf-8"), given):
                    found = replace(app)
        return found

    def app(self, app_id: int) -> AppRecord:
        """A copy of the app *app_id*; unknown -> NotFound (60000)."""
        with self.lock:
            return replace(self._app(app_id))

    def _app(self, app_id: int) -> AppRecord:
        try:
            return self.apps[app_id]
        except KeyError:
            raise errors.NotFound() from None

    # -- users ---------------------------------------------------------------------

    def _user(
        self,
        app_id: int,
        user_id: object,
        missing: type[errors.ApiError] = errors.UserNotFound,
    ) -> UserRecord:
        """The live user *user_id* of *app_id*; a non-numeric, unknown, deleted or
        other app's id raises *missing* (API.md §1.1: the endpoint's own not-found)."""
        uid = _as_id(user_id)
        user = self.users.get(uid) if uid is not None else None
        if user is None or user.app_id != app_id:
            raise missing()
        return user

    def user_phone(self, app_id: int, user_id: object) -> str | None:
        """The E.164 phone of a user, or None (used to match faults by number)."""
        with self.lock:
            uid = _as_id(user_id)
            user = self.users.get(uid) if uid is not None else None
            return user.phone if user is not None and user.app_id == app_id else None

    # -- the inbox and statistics -------------------------------------------------

    def deliver(
        self,
        *,
        app_id: int,
        channel: Channel,
        to: str,
        body: str,
        code: str | None,
        purpose: Purpose,
        user_id: int | None,
        drop: bool = False,
    ) -> Message | None:
        """Put a message in the inbox (unless a fault drops it) and count it."""
        now = self.now()
        if channel == "sms":
            self.count_stat(app_id, "sms_count")
        elif channel == "voice":
            self.count_stat(app_id, "calls_count")
        if drop:
            return None
        message = Message(
            id=self.next_id("message"),
            channel=channel,
            to=to,
            body=body,
            code=code,
            purpose=purpose,
            user_id=user_id,
            app_id=app_id,
            created_at=now,
        )
        self.messages.append(message)
        trim(self.messages, self.max_messages)
        self.touch()
        return message

    def count_stat(self, app_id: int, name: str, n: int = 1) -> None:
        """Add *n* to statistic *name* of *app_id* in the clock's UTC month."""
        when = datetime.fromtimestamp(self.now(), tz=timezone.utc)
        key = (app_id, when.year, when.month)
        month = self.stats.get(key)
        if month is None:  # not setdefault: its default is built on every call
            month = self.stats[key] = dict.fromkeys(STAT_FIELDS, 0)
        month[name] += n

    # -- rate limits (API.md §6) ---------------------------------------------------

    def check_limit(self, app: AppRecord, key: str, subject: str) -> None:
        """Raise TooManyRequests when limit *key* of *app* refuses *subject* now."""
        limit = app.limits.get(key)
        if limit is None:
            return
        state = self.windows.get((app.app_id, key, subject), WindowState())
        decision = ratelimit.check(limit, state, now=self.now())
        if not decision.allowed:
            raise errors.TooManyRequests(decision.retry_after)

    def record_limit(self, app: AppRecord, key: str, subject: str) -> None:
        """Count one event for limit *key* of *app* and *subject*."""
        limit = app.limits.get(key)
        if limit is None:
            return
        slot = (app.app_id, key, subject)
        state = self.windows.get(slot, WindowState())
        self.windows[slot] = ratelimit.record(limit, state, now=self.now())

    def hit_limit(self, app: AppRecord, key: str, subject: str) -> None:
        """Check and, when allowed, count one event (sends, starts, requests)."""
        self.check_limit(app, key, subject)
        self.record_limit(app, key, subject)

    # -- the request pipeline: admission, faults, journal -----------------------

    def admit_request(self, app_id: int) -> None:
        """Count an API request past the key check; apply the ``requests`` limit."""
        with self.lock:
            app = self._app(app_id)
            self.count_stat(app_id, "api_calls_count")
            self.hit_limit(app, "requests", "")

    def take_fault(
        self, endpoint: str, phone_of: Callable[[], str | None]
    ) -> Fault | None:
        """The oldest fault matching this request, with one use taken (API.md §7.12)."""
        with self.lock:
            phone: str | None = None
            phone_known = False
            for fault in self.faults:
                if fault.endpoint not in (endpoint, "*"):
                    continue
                if fault.to is not None:
                    if not phone_known:
                        phone, phone_known = phone_of(), True
                    if phone != fault.to:  # a phone number is no secret
                        continue
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return replace(fault)
        return None

    def record_request(
        self,
        *,
        method: str,
        path: str,
        app_id: int | None,
        status: int,
        error_code: str | None,
        duration_ms: int,
    ) -> None:
        """Journal one API request (API.md §7.11)."""
        with self.lock:
            self.journal.append(
                JournalEntry(
                    time=self.now(),
                    method=method,
                    path=path,
                    app_id=app_id,
                    status=status,
                    error_code=error_code,
                    duration_ms=duration_ms,
                )
            )
            trim(self.journal, self.max_journal)
            self.touch()


def trim(entries: list[Any], cap: int) -> None:
    """Drop the oldest entries of *entries* so that at most *cap* remain.

    Exact rather than in chunks: at the default cap, dropping one entry is a
    microsecond-scale memmove, and a reader never sees more than *cap* entries.
    """
    excess = len(entries) - cap
    if excess > 0:
        del entries[:excess]


def _as_id(value: object) -> int | None:
    """A user id from a path segment or parameter: ASCII digits only."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) < 19
    ):
        return int(value)
    return None
