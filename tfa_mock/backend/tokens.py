"""Tokens: SMS, voice and e-mail codes; verify (API.md §3.8-3.11, §5); statistics.

Each operation checks in the endpoint's order of API.md §3, draws codes from the one
generator (``tfa_core.codes.numeric_code``) and matches TOTPs with
``tfa_core.otp.verify_totp``; the rate limits of §6 go through the base helpers.
Bodies, masks and texts of the answers are the API layer's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Literal

from tfa_core import codes, otp

from ..wire import errors
from .base import STAT_FIELDS, BackendBase
from .records import AppRecord, Device, SentCode, UserRecord
from .users import copy_user

__all__ = [
    "CODE_TEXT",
    "DEVICE_STEP",
    "DEVICE_WINDOW",
    "GENERIC_DIGITS",
    "GENERIC_STEP",
    "GENERIC_WINDOW",
    "MonthStats",
    "SendOutcome",
    "TokenOps",
    "VerifyOutcome",
]

# API.md §5.2-5.3: the device-app TOTP and the generic-authenticator TOTP.
DEVICE_STEP, DEVICE_WINDOW = 10, 3
GENERIC_STEP, GENERIC_WINDOW, GENERIC_DIGITS = 30, 1, 6

# API.md §3.8; voice (§3.9) and e-mail (§3.10) say the same words.
CODE_TEXT = "Your {app} verification code is: {code}"

SendChannel = Literal["sms", "voice"]
Method = Literal["device", "code", "generic", "unchecked"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SendOutcome:
    """A send by SMS or voice: the user (a copy) and whether it was ignored."""

    user: UserRecord
    ignored: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyOutcome:
    """A successful verify: what matched, the device and the user's creation time.

    *method* ``unchecked`` is the unconfirmed-user pass of API.md §3.11 step 5.
    """

    method: Method
    device: Device | None
    user_created_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthStats:
    """One UTC month of an app's statistics (API.md §3.13)."""

    year: int
    month: int
    counts: dict[str, int]


class TokenOps(BackendBase):
    """Backend operations of this resource (mixed into :class:`Backend`)."""

    def send_token(
        self,
        app_id: int,
        user_id: object,
        *,
        channel: SendChannel,
        force: bool,
        action: str | None,
        action_message: str | None,
        drop: bool = False,
    ) -> SendOutcome:
        """Send a token by SMS or voice (API.md §3.8-3.9).

        Order: UserNotFound, UserSuspended, SmsDisabled / CallsDisabled, the
        ignored answer (a device and no *force*), TooManyRequests (``sends``).
        """
        with self.lock:
            app = self._app(app_id)
            user = self._user(app_id, user_id)
            if user.suspended:
                raise errors.UserSuspended()
            if channel == "sms" and not app.sms_enabled:
                raise errors.SmsDisabled()
            if channel == "voice" and not app.phone_calls_enabled:
                raise errors.CallsDisabled()
            if user.device is not None and not force:
                # Ignored requests send nothing and count toward no limit.
                return SendOutcome(user=copy_user(user), ignored=True)
            code = self._new_code(app, user, channel, action)
            body = CODE_TEXT.format(app=app.name, code=code)
            if action_message:
                body += f" ({action_message})"
            self.deliver(
                app_id=app_id,
                channel=channel,
                to=user.phone,
                body=body,
                code=code,
                purpose="token",
                user_id=user.id,
                drop=drop,
            )
            return SendOutcome(user=copy_user(user), ignored=False)

    def send_email_token(
        self, app_id: int, user_id: object, *, drop: bool = False
    ) -> tuple[str, str]:
        """Send a token by e-mail; (the e-mail address, ``email_id``) (API.md §3.10).

        Order: UserNotFound, UserSuspended, TooManyRequests (``sends``).
        """
        with self.lock:
            app = self._app(app_id)
            user = self._user(app_id, user_id)
            if user.suspended:
                raise errors.UserSuspended()
            code = self._new_code(app, user, "email", None)
            email_id = "EM" + self.draw_hex(32)
            self.deliver(
                app_id=app_id,
                channel="email",
                to=user.email,
                body=CODE_TEXT.format(app=app.name, code=code),
                code=code,
                purpose="token",
                user_id=user.id,
                drop=drop,
            )
            return user.email, email_id

    def _new_code(
        self,
        app: AppRecord,
        user: UserRecord,
        channel: Literal["sms", "voice", "email"],
        action: str | None,
    ) -> str:
        """Apply the ``sends`` limit, then draw and keep a fresh code (API.md §5.4)."""
        now = self.now()
        self.hit_limit(app, "sends", str(user.id))
        code = codes.numeric_code(app.token_length, self.rng)
        kept = [c for c in self.codes.get(user.id, []) if c.expires_at > now]
        kept.append(
            SentCode(
                code=code,
                user_id=user.id,
                channel=channel,
                action=action or None,
                created_at=now,
                expires_at=now + app.sms_token_ttl,
            )
        )
        self.codes[user.id] = kept
        return code

    def verify_token(
        self,
        app_id: int,
        user_id: object,
        token: str,
        *,
        force: bool,
        action: str | None,
    ) -> VerifyOutcome:
        """Verify a token in the eight steps of API.md §3.11."""
        with self.lock:
            now = self.now()
            app = self._app(app_id)
            user = self._user(app_id, user_id, missing=errors.UserDoesNotExist)  # 1
            if user.suspended:  # 2
                raise errors.UserSuspended()
            subject = str(user.id)
            self.check_limit(app, "verify_failures", subject)  # 3
            if not codes.is_numeric(token, min_len=6, max_len=12):  # 4
                self.record_limit(app, "verify_failures", subject)
                raise errors.TokenInvalid()
            matched = self._match(app, user, token, action or None, now)  # 6
            if matched is not None or (not force and not user.confirmed):  # 5, 6
                if matched is not None:
                    user.confirmed = True  # API.md §5.7
                self.count_stat(app_id, "auths_count")
                return VerifyOutcome(
                    method=matched or "unchecked",
                    device=replace(user.device) if user.device is not None else None,
                    user_created_at=user.created_at,
                )
            self.record_limit(app, "verify_failures", subject)
            if self._used_recently(app, user, token, action or None, now):  # 7
                raise errors.TokenReused()
            raise errors.TokenInvalid()  # 8

    def _match(
        self,
        app: AppRecord,
        user: UserRecord,
        token: str,
        action: str | None,
        now: float,
    ) -> Method | None:
        """Step 6: consume a code or record a TOTP step that *token* matches."""
        sent = self._sent_code(user, token, action, now, used=False)
        if sent is not None:
            sent.used = True
            return "code"
        if user.device is not None:
            step = _totp_step(
                app, user, token, now, generic=False, last_step=user.last_device_step
            )
            if step is not None:
                user.last_device_step = step
                return "device"
        if user.generic_enrolled:
            step = _totp_step(
                app, user, token, now, generic=True, last_step=user.last_generic_step
            )
            if step is not None:
                user.last_generic_step = step
                return "generic"
        return None

    def _used_recently(
        self,
        app: AppRecord,
        user: UserRecord,
        token: str,
        action: str | None,
        now: float,
    ) -> bool:
        """Step 7: a consumed unexpired code, or a TOTP step inside the window at or
        before the last accepted one (the replay record keeps only that step)."""
        if self._sent_code(user, token, action, now, used=True) is not None:
            return True
        if user.device is not None and user.last_device_step is not None:
            step = _totp_step(app, user, token, now, generic=False)
            if step is not None and step <= user.last_device_step:
                return True
        if user.generic_enrolled and user.last_generic_step is not None:
            step = _totp_step(app, user, token, now, generic=True)
            if step is not None and step <= user.last_generic_step:
                return True
        return False

    def _sent_code(
        self,
        user: UserRecord,
        token: str,
        action: str | None,
        now: float,
        *,
        used: bool,
    ) -> SentCode | None:
        """The unexpired code of *user* equal to *token*, sent with *action*, that
        is (*used*) or is not yet consumed (API.md §5.4)."""
        for sent in self.codes.get(user.id, []):
            if (
                sent.used == used
                and now < sent.expires_at
                and sent.action == action
                and codes.codes_equal(sent.code, token)
            ):
                return sent
        return None

    def app_stats(self, app_id: int) -> tuple[list[MonthStats], int]:
        """The last 12 UTC months of *app_id*, oldest first, ending with the clock's
        month, and the app's current users (API.md §3.13)."""
        with self.lock:
            total = sum(1 for user in self.users.values() if user.app_id == app_id)
            when = datetime.fromtimestamp(self.now(), tz=timezone.utc)
            index = when.year * 12 + when.month - 1
            months: list[MonthStats] = []
            for i in range(index - 11, index + 1):
                year, month = divmod(i, 12)
                counts = self.stats.get((app_id, year, month + 1))
                months.append(
                    MonthStats(
                        year=year,
                        month=month + 1,
                        counts=dict(counts or dict.fromkeys(STAT_FIELDS, 0)),
                    )
                )
            return months, total


def _totp_step(
    app: AppRecord,
    user: UserRecord,
    token: str,
    now: float,
    *,
    generic: bool,
    last_step: int | None = None,
) -> int | None:
    """The step within its window, after *last_step*, at which *token* is the
    user's device-app TOTP (API.md §5.2) or, *generic*, the generic one (§5.3)."""
    if generic:
        step, digits, window = GENERIC_STEP, GENERIC_DIGITS, GENERIC_WINDOW
    else:
        step, digits, window = DEVICE_STEP, app.token_length, DEVICE_WINDOW
    return otp.verify_totp(
        user.key,
        token,
        now=now,
        step=step,
        digits=digits,
        window=window,
        last_step=last_step,
    )
