"""Operations of the control API: reset, apps, inbox, devices, TOTP, journal, faults,
snapshots (API.md §7).

What the control API, the pytest fixture and the web inbox do to a backend, as plain
Python: values in, copies of records out, ApiErrors for bad input. No Flask here;
the control blueprint and the fixture translate to these calls. Approval decisions
and callback deliveries are the OneTouch and delivery operations' own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tfa_core import otp

from ..wire import errors
from . import snapshot, validate
from .base import BackendBase
from .records import (
    AppRecord,
    Channel,
    Device,
    Fault,
    JournalEntry,
    Message,
    UserRecord,
)
from .tokens import DEVICE_STEP, GENERIC_DIGITS, GENERIC_STEP

__all__ = ["MAX_WAIT", "AdminOps", "InboxFilter", "TotpView"]

MAX_WAIT = 30.0  # API.md §7.5: inbox/latest waits at most 30 real seconds
_DEVICE_KIND = re.compile(r"[a-z0-9_]{1,32}")


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxFilter:
    """Which inbox messages to show (API.md §7.5); None matches anything."""

    to: str | None = None
    channel: Channel | None = None
    user_id: int | None = None
    app_id: int | None = None
    after: int | None = None  # a message id: only later messages

    def matches(self, message: Message) -> bool:
        """Whether *message* passes every filter that is set."""
        return (
            (self.to is None or message.to == self.to)
            and (self.channel is None or message.channel == self.channel)
            and (self.user_id is None or message.user_id == self.user_id)
            and (self.app_id is None or message.app_id == self.app_id)
            and (self.after is None or message.id > self.after)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TotpView:
    """What an authenticator shows now (API.md §7.7)."""

    code: str
    digits: int
    period: int
    seconds_left: int


class AdminOps(BackendBase):
    """Control-API operations (mixed into :class:`Backend`)."""

    # -- reset (API.md §7.2) -------------------------------------------------------

    def reset_all(self) -> None:
        """Back to the start state: one default app, counters restarted, the
        generator re-seeded, the clock real and running."""
        with self.lock:
            self._init_state()
            self.touch()
        self.clock.reset()

    def reset_app(self, app_id: int) -> None:
        """Remove one app's users, codes, verifications, approval requests,
        messages, deliveries, journal entries, rate-limit events and QR codes; the
        app, its settings, the counters, the statistics and the clock stay."""
        with self.lock:
            self._app(app_id)
            gone = {uid for uid, user in self.users.items() if user.app_id == app_id}
            self.users = {k: u for k, u in self.users.items() if k not in gone}
            self.codes = {k: c for k, c in self.codes.items() if k not in gone}
            self.phone_index = {
                k: v for k, v in self.phone_index.items() if k[0] != app_id
            }
            self.verifications = {
                k: v for k, v in self.verifications.items() if v.app_id != app_id
            }
            self.latest_verification = {
                k: v for k, v in self.latest_verification.items() if k[0] != app_id
            }
            self.approvals = {
                k: a for k, a in self.approvals.items() if a.app_id != app_id
            }
            self.qr_images = {
                k: q for k, q in self.qr_images.items() if q.app_id != app_id
            }
            self.messages = [m for m in self.messages if m.app_id != app_id]
            self.deliveries = [d for d in self.deliveries if d.app_id != app_id]
            self.journal = [e for e in self.journal if e.app_id != app_id]
            self.windows = {k: w for k, w in self.windows.items() if k[0] != app_id}
            self.touch()

    # -- apps (API.md §7.4) --------------------------------------------------------

    def list_apps(self) -> list[AppRecord]:
        """Every app, by app_id."""
        with self.lock:
            return [_copy_app(self.apps[k]) for k in sorted(self.apps)]

    def new_app(self, data: Mapping[str, Any]) -> AppRecord:
        """Create an app from control-API settings (``name`` required)."""
        settings, limits = validate.parse_app_settings(data, creating=True)
        with self.lock:
            if "api_key" in settings:
                self._check_key_free(settings["api_key"], None)
            app = self._add_app(
                name=settings.pop("name"),
                api_key=settings.pop("api_key", None),
                **settings,
            )
            app.limits.update(limits)
            self.touch()
            return _copy_app(app)

    def patch_app(self, app_id: int, data: Mapping[str, Any]) -> AppRecord:
        """Change settings and/or the name of an app; ``limits`` merge key by key."""
        with self.lock:
            app = self._app(app_id)
            settings, limits = validate.parse_app_settings(data, creating=False)
            if "api_key" in settings:
                self._check_key_free(settings["api_key"], app_id)
            for name, value in settings.items():
                setattr(app, name, value)
            app.limits.update(limits)
            self.touch()
            return _copy_app(app)

    def _check_key_free(self, api_key: str, app_id: int | None) -> None:
        for other in self.apps.values():
            if other.app_id != app_id and other.api_key == api_key:
                raise errors.InvalidParameter("api_key", "Already in use")

    # -- inbox (API.md §7.5) -------------------------------------------------------

    def inbox(self, where: InboxFilter | None = None) -> list[Message]:
        """Matching messages, oldest first."""
        where = where if where is not None else InboxFilter()
        with self.lock:
            return [replace(m) for m in self.messages if where.matches(m)]

    def inbox_latest(
        self, where: InboxFilter | None = None, *, wait: float = 0.0
    ) -> Message | None:
        """The newest matching message; when there is none, wait up to *wait* real
        seconds (at most :data:`MAX_WAIT`) for one to be delivered, else None."""
        where = where if where is not None else InboxFilter()
        # API.md §8: the wait is real time, not the mock clock.
        deadline = time.monotonic() + min(max(wait, 0.0), MAX_WAIT)
        with self.changed:
            while True:
                found = next(
                    (m for m in reversed(self.messages) if where.matches(m)), None
                )
                remaining = deadline - time.monotonic()
                if found is not None or remaining <= 0:
                    return replace(found) if found is not None else None
                self.changed.wait(remaining)

    def clear_inbox(self) -> None:
        """Remove every message."""
        with self.lock:
            self.messages = []
            self.touch()

    # -- users and devices (API.md §7.6-7.7) --------------------------------------

    def user_ids(self) -> list[int]:
        """The ids of every app's current users, ascending."""
        with self.lock:
            return sorted(self.users)

    def latest_qr_id(self, user_id: int) -> str | None:
        """The id of the newest QR image made for *user_id*, or None."""
        with self.lock:
            # Dicts keep insertion order: the last match is the latest one made.
            found = [q.id for q in self.qr_images.values() if q.user_id == user_id]
            return found[-1] if found else None

    def user_record(self, user_id: int) -> UserRecord:
        """A copy of any app's user *user_id*; unknown or deleted -> 60026."""
        with self.lock:
            return _copy_user(self._any_user(user_id))

    def install_device(self, user_id: int, kind: str = "android") -> UserRecord:
        """Install the simulated device on a user, replacing any existing one."""
        if not isinstance(kind, str) or not _DEVICE_KIND.fullmatch(kind):
            raise errors.InvalidParameter(
                "kind", "Must be 1 to 32 characters among a-z, 0-9 and _"
            )
        with self.lock:
            user = self._any_user(user_id)
            user.device = Device(
                id=self.next_id("device"),
                uuid=self.draw_uuid(),
                kind=kind,
                installed_at=self.now(),
            )
            self.touch()
            return _copy_user(user)

    def remove_device(self, user_id: int) -> UserRecord:
        """Remove the user's device (no error when there is none)."""
        with self.lock:
            user = self._any_user(user_id)
            user.device = None
            self.touch()
            return _copy_user(user)

    def totp_view(self, user_id: int, *, generic: bool = False) -> TotpView:
        """The device app's current code, or the generic authenticator's (also
        before enrollment): API.md §5.2-5.3, §7.7."""
        with self.lock:
            now = self.now()
            user = self._any_user(user_id)
            if generic:
                digits, period = GENERIC_DIGITS, GENERIC_STEP
            else:
                digits, period = self.apps[user.app_id].token_length, DEVICE_STEP
            code = otp.totp(user.key, now=now, step=period, digits=digits)
        return TotpView(
            code=code,
            digits=digits,
            period=period,
            seconds_left=period - int(now) % period,
        )

    def _any_user(self, user_id: int) -> UserRecord:
        user = self.users.get(user_id)
        if user is None:
            raise errors.UserNotFound()
        return user

    # -- journal (API.md §7.11) ----------------------------------------------------

    def journal_entries(
        self, *, path: str | None = None, app_id: int | None = None
    ) -> list[JournalEntry]:
        """Journaled API requests, newest last; *path* is a prefix filter."""
        with self.lock:
            return [
                replace(e)
                for e in self.journal
                if (path is None or e.path.startswith(path))
                and (app_id is None or e.app_id == app_id)
            ]

    def clear_journal(self) -> None:
        """Forget every journaled request."""
        with self.lock:
            self.journal = []
            self.touch()

    # -- faults (API.md §7.12) -----------------------------------------------------

    def add_fault(self, data: Mapping[str, Any]) -> Fault:
        """Add a fault from control-API fields; returns it with its id."""
        fields = validate.parse_fault(data)
        with self.lock:
            fault = Fault(id=self.next_id("fault"), **fields)
            self.faults.append(fault)
            self.touch()
            return replace(fault)

    def list_faults(self) -> list[Fault]:
        """Remaining faults, oldest first (``times`` as what is left)."""
        with self.lock:
            return [replace(f) for f in self.faults]

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self.lock:
            self.faults = []
            self.touch()

    # -- snapshots (API.md §7.13) --------------------------------------------------

    def export_snapshot(self) -> dict[str, Any]:
        """The whole state as JSON-able data (``{"version":1,...}``)."""
        with self.lock:
            return snapshot.export_state(self)

    def restore_snapshot(self, data: object) -> None:
        """Restore :meth:`export_snapshot` data exactly; anything else raises
        BadRequest (60002) and changes nothing."""
        state = snapshot.load_state(data)
        with self.lock:
            snapshot.install_state(self, state)
            self.touch()
        self._on_state_restored()


def _copy_app(app: AppRecord) -> AppRecord:
    return replace(app, limits=dict(app.limits))


def _copy_user(user: UserRecord) -> UserRecord:
    device = replace(user.device) if user.device is not None else None
    return replace(user, device=device, activities=[dict(a) for a in user.activities])
