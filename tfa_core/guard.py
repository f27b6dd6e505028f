"""Guard: verify a TOTP or an issued code once, under an attempt limit, on any store.

What an app calls at login, one line each: :meth:`Guard.verify_totp`,
:meth:`Guard.issue_code` and :meth:`Guard.verify_code` return an :class:`Outcome`.
The rules are tfa_core's pure functions (:func:`~tfa_core.otp.verify_totp`,
:func:`~tfa_core.ratelimit.hit`, :func:`~tfa_core.codes.numeric_code`); the store
makes each attempt one atomic step, so the guarantees hold across processes and
machines:

* every attempt (right, wrong, replayed, expired, no code) counts against
  ``attempts``, checked before the code is looked at: a throttled attempt says
  ``throttled`` whatever the code, and at most ``max`` attempts are evaluated per
  window. A success does not refund its attempt (the limit counts attempts, not
  failures, so no sequence of logins buys extra guesses).
* a TOTP step, and an issued code, is accepted at most once (RFC 6238 §5.2).
* the store holds neither TOTP keys nor codes: only steps, attempt times and an
  HMAC-SHA256 of each issued code under ``code_key``, a secret the app keeps out
  of the store (a 6-digit code hashed without a secret is found in milliseconds).

Not done here: sending codes (the app does), the clock (``now`` is passed), the
randomness (``rng`` is passed). A store that cannot answer raises
:class:`~tfa_core.errors.StoreUnavailable`: refuse the login.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from dataclasses import dataclass
from typing import Literal

from . import otp, ratelimit
from .codes import numeric_code
from .errors import CorruptValue, InvalidParameter
from .otp import Digest
from .ratelimit import Limit, WindowState
from .stores.base import Store, check_now, check_ttl

__all__ = ["Guard", "Outcome", "Reason"]

Reason = Literal["accepted", "wrong", "replayed", "throttled", "expired", "no_code"]
DEFAULT_ATTEMPTS = Limit(max=5, window=300)
#: The longest life of an issued code (seconds). A verify rewrites the code's key
#: without knowing its remaining life, so it keeps the key this long (or a window).
MAX_CODE_TTL = 3600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """The answer to one attempt.

    ``reason`` is ``accepted``, ``wrong``, ``replayed`` (a right code already
    used), ``throttled`` (not evaluated; ``retry_after`` whole seconds until the
    next attempt may be), ``expired`` or ``no_code`` (issued codes only).
    ``step`` is the accepted TOTP step, else None.
    """

    accepted: bool
    reason: Reason
    retry_after: int = 0
    step: int | None = None


def _part(name: str, value: object) -> str:
    """*value* escaped for a key: ``%``, ``{`` and ``}`` percent-encoded.

    No brace of a user name can then open or close the ``{hash tag}`` that puts a
    user's keys in one Redis Cluster slot.
    """
    if type(value) is not str or not value:
        raise InvalidParameter(f"{name}: must be a non-empty str, got {value!r}")
    return value.replace("%", "%25").replace("{", "%7B").replace("}", "%7D")


class Guard:
    """Login checks over a :class:`~tfa_core.stores.Store`, one call each.

    *attempts* limits the attempts per user (TOTP) and per user and purpose
    (issued codes). *code_key* (bytes, 16 or more) keys the hash of issued codes;
    every process of an app passes the same one, and it never goes into the store.
    Only :meth:`issue_code` and :meth:`verify_code` need it.
    """

    __slots__ = ("_code_key", "attempts", "store")

    def __init__(
        self,
        store: Store,
        *,
        attempts: Limit = DEFAULT_ATTEMPTS,
        code_key: bytes | None = None,
    ) -> None:
        if not isinstance(attempts, Limit):
            raise InvalidParameter("attempts: must be a Limit")
        if code_key is not None and (
            not isinstance(code_key, bytes) or len(code_key) < 16
        ):
            raise InvalidParameter("code_key: must be bytes, at least 16 of them")
        self.store = store
        self.attempts = attempts
        self._code_key = code_key

    def __repr__(self) -> str:  # the code key stays out of logs
        return f"Guard({self.store!r}, attempts={self.attempts!r})"

    # -- TOTP --------------------------------------------------------------------------

    def verify_totp(
        self,
        user: str,
        key: bytes,
        code: str,
        *,
        now: float,
        window: int = 1,
        step: int = 30,
        digits: int = 6,
        digest: Digest = "sha1",
    ) -> Outcome:
        """Check *code* against the TOTP *key* of *user*, once, under the limit.

        The matching step is computed here (:func:`tfa_core.otp.verify_totp`); one
        atomic store step then counts the attempt and, unless throttled, takes the
        step only if it is above the last accepted one (on Redis: one script, one
        round trip). Bad parameters raise InvalidParameter and count nothing.
        """
        tag = "totp:{" + _part("user", user) + "}"
        matched = otp.verify_totp(
            key, code, now=now, step=step, digits=digits, digest=digest, window=window
        )
        # A step stays acceptable until it leaves the verification window: at most
        # 2 * window + 1 steps after now. Its guard must outlive that.
        ttl = float((2 * window + 2) * step)
        reason, retry = self.store.attempt(
            tag + ":attempts", self.attempts, tag + ":step", matched, now=now, ttl=ttl
        )
        if reason == "accepted":
            return Outcome(accepted=True, reason="accepted", step=matched)
        return Outcome(accepted=False, reason=reason, retry_after=retry)

    # -- issued codes ------------------------------------------------------------------

    def _digest(self, user: str, purpose: str, code: str) -> str:
        if self._code_key is None:
            raise InvalidParameter(
                "code_key: Guard(..., code_key=...) is needed for codes"
            )
        # User and purpose are in the message: a hash cannot be moved to another key.
        message = json.dumps([user, purpose, code]).encode("utf-8", "surrogatepass")
        return hmac.new(self._code_key, message, hashlib.sha256).hexdigest()

    def _code_key_name(self, user: str, purpose: str) -> str:
        return "code:{" + _part("user", user) + "}:" + _part("purpose", purpose)

    def issue_code(
        self,
        user: str,
        purpose: str,
        *,
        rng: random.Random,
        now: float,
        ttl: float = 600,
        length: int = 6,
    ) -> str:
        """A new code of *length* digits for *user* and *purpose*, valid *ttl* seconds.

        Replaces any earlier code of the same purpose; the attempts already counted
        stay counted. The app sends the code itself; the store keeps only its hash.
        """
        name = self._code_key_name(user, purpose)
        now = check_now(now)
        ttl = check_ttl(ttl)
        if ttl > MAX_CODE_TTL:
            raise InvalidParameter(f"ttl: must be at most {MAX_CODE_TTL:g} seconds")
        code = numeric_code(length, rng)
        digest = self._digest(user, purpose, code)
        keep = max(MAX_CODE_TTL, float(self.attempts.window)) + 1.0

        def issue(old: object) -> tuple[object, None]:
            events = _code_state(old, name)[0].events
            return {"hash": digest, "expires": now + ttl, "events": list(events)}, None

        self.store.update(name, issue, ttl=keep)
        return code

    def verify_code(self, user: str, purpose: str, code: str, *, now: float) -> Outcome:
        """Check *code* against the code issued to *user* for *purpose*, once.

        Throttled first (without looking at the code), then ``no_code``,
        ``expired`` (from ``now + ttl`` of the issue on), ``wrong`` or ``accepted``;
        an accepted or expired code is gone.
        """
        name = self._code_key_name(user, purpose)
        now = check_now(now)
        if not isinstance(code, str):
            raise InvalidParameter(f"code: must be a str, got {type(code).__name__}")
        given = self._digest(user, purpose, code)
        limit = self.attempts
        keep = max(MAX_CODE_TTL, float(limit.window)) + 1.0

        def verify(old: object) -> tuple[object, Outcome]:
            state, stored, expires = _code_state(old, name)
            decision = ratelimit.hit(limit, state, now=now)
            if not decision.allowed:
                throttled = Outcome(
                    accepted=False, reason="throttled", retry_after=decision.retry_after
                )
                return old, throttled
            events = list(decision.state.events)
            if stored is None or expires is None:
                return {"events": events}, Outcome(accepted=False, reason="no_code")
            if now >= expires:
                return {"events": events}, Outcome(accepted=False, reason="expired")
            if hmac.compare_digest(stored, given):
                return {"events": events}, Outcome(accepted=True, reason="accepted")
            new = {"hash": stored, "expires": expires, "events": events}
            return new, Outcome(accepted=False, reason="wrong")

        return self.store.update(name, verify, ttl=keep)


def _code_state(
    value: object, key: str
) -> tuple[WindowState, str | None, float | None]:
    """(attempts, hash, expires) of an issued-code value; CorruptValue if malformed."""
    if value is None:
        return WindowState(), None, None
    try:
        if not isinstance(value, dict):
            raise InvalidParameter("not an object")
        state = WindowState.from_dict(value)
        stored, expires = value.get("hash"), value.get("expires")
        if stored is None and expires is None:
            return state, None, None
        if not isinstance(stored, str) or not isinstance(expires, (int, float)):
            raise InvalidParameter("hash and expires")
        return state, stored, float(expires)
    except InvalidParameter:
        raise CorruptValue(f"{key}: holds no issued-code state") from None
