"""The phone-verification state machine (API.md §3.14-3.16, §5.5).

A verification is ``pending`` from its start for :data:`TTL` seconds; a correct
check makes it ``verified``; the fifth wrong check makes it ``expired`` (the
service calls that invalidated), and so does time alone at ``expires_at``. A start
while one is pending for the number re-sends the same code and keeps uuid and
expiry (:func:`start`).

Pure: no clock, no randomness, no I/O. The caller passes ``now`` and supplies the
uuid and the code (drawn only when nothing is pending, so a seeded generator gives
the sequence API.md §8 promises). Not done here: parsing phone numbers, sending
messages, rate limits, looking verifications up by number.
"""

from __future__ import annotations

import hmac
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ._enum import TextEnum
from .errors import InvalidParameter

__all__ = [
    "MAX_WRONG_CHECKS",
    "TTL",
    "CheckOutcome",
    "PhoneVerification",
    "VerificationStatus",
    "check",
    "is_pending",
    "new",
    "seconds_to_expire",
    "start",
    "status_at",
]

TTL = 600  # API.md §5.5: a code is valid 600 s
MAX_WRONG_CHECKS = 5  # API.md §3.15: the fifth wrong code invalidates
_CODE = re.compile(r"[0-9]{4,10}")  # API.md §3.14: 4-10 digits, random or custom
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")  # ITU-T E.164: at most 15 digits


class VerificationStatus(TextEnum):
    """Where a verification stands (API.md §3.16)."""

    PENDING = "pending"
    VERIFIED = "verified"
    EXPIRED = "expired"


class CheckOutcome(TextEnum):
    """What a check did (API.md §3.15)."""

    CORRECT = "correct"  # consumed: now verified
    WRONG = "wrong"  # still pending, one more wrong check counted
    INVALIDATED = "invalidated"  # the fifth wrong check: now expired
    NOT_PENDING = "not_pending"  # nothing to check against: unchanged


def _is_instant(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneVerification:
    """One verification of one E.164 number.

    ``status`` is the stored status; the status at a given time is
    :func:`status_at`, since expiry happens by time alone.
    """

    uuid: str
    phone: str
    code: str
    created_at: float
    expires_at: float
    wrong_checks: int = 0
    status: VerificationStatus = VerificationStatus.PENDING

    def __post_init__(self) -> None:
        if not isinstance(self.uuid, str) or not self.uuid:
            raise InvalidParameter("uuid: must be a non-empty string")
        if not isinstance(self.phone, str) or not _E164.fullmatch(self.phone):
            raise InvalidParameter(
                "phone: must be an E.164 number such as +12015550123"
            )
        if not isinstance(self.code, str) or not _CODE.fullmatch(self.code):
            raise InvalidParameter("code: must be 4 to 10 digits")
        if not _is_instant(self.created_at):
            raise InvalidParameter("created_at: must be a finite number")
        if not _is_instant(self.expires_at):
            raise InvalidParameter("expires_at: must be a finite number")
        wrong = self.wrong_checks
        if (
            not isinstance(wrong, int)
            or isinstance(wrong, bool)
            or not 0 <= wrong <= MAX_WRONG_CHECKS
        ):
            raise InvalidParameter(
                f"wrong_checks: must be an integer from 0 to {MAX_WRONG_CHECKS}"
            )
        if not isinstance(self.status, VerificationStatus):
            raise InvalidParameter("status: must be a VerificationStatus")

    def to_dict(self) -> dict[str, object]:
        """A plain JSON-able dict; :meth:`from_dict` turns it back."""
        return {
            "uuid": self.uuid,
            "phone": self.phone,
            "code": self.code,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "wrong_checks": self.wrong_checks,
            "status": self.status.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PhoneVerification:
        """The inverse of :meth:`to_dict`; raises InvalidParameter on bad input."""
        if not isinstance(data, Mapping):
            raise InvalidParameter("verification: must be a mapping")
        fields = {}
        for name in (
            "uuid",
            "phone",
            "code",
            "created_at",
            "expires_at",
            "wrong_checks",
            "status",
        ):
            if name not in data:
                raise InvalidParameter(f"{name}: is required")
            fields[name] = data[name]
        try:
            status = VerificationStatus(fields.pop("status"))
        except ValueError:
            raise InvalidParameter(
                "status: must be one of pending, verified, expired"
            ) from None
        return cls(status=status, **fields)


def new(
    *, uuid: str, phone: str, code: str, now: float, ttl: float = TTL
) -> PhoneVerification:
    """A pending verification of *phone* (E.164) with *code*, started at *now*.

    *code* is 4 to 10 ASCII digits: the random code the caller drew or the app's
    custom code (API.md §3.14). Raises InvalidParameter on a bad value.
    """
    if not _is_instant(now):
        raise InvalidParameter("now: must be a finite number")
    if (
        isinstance(ttl, bool)
        or not isinstance(ttl, (int, float))
        or not 0 < ttl < math.inf
    ):
        raise InvalidParameter("ttl: must be a positive finite number")
    return PhoneVerification(
        uuid=uuid, phone=phone, code=code, created_at=now, expires_at=now + ttl
    )


def status_at(v: PhoneVerification, *, now: float) -> VerificationStatus:
    """The status at *now*: a pending verification is expired from ``expires_at`` on."""
    if v.status is VerificationStatus.PENDING and now >= v.expires_at:
        return VerificationStatus.EXPIRED
    return v.status


def is_pending(v: PhoneVerification, *, now: float) -> bool:
    """Whether *v* still takes checks (and a start would re-send its code)."""
    return status_at(v, now=now) is VerificationStatus.PENDING


def seconds_to_expire(v: PhoneVerification, *, now: float) -> int:
    """API.md §3.14/§3.16: seconds left, rounded up, while pending; else 0."""
    if not is_pending(v, now=now):
        return 0
    return math.ceil(v.expires_at - now)


def start(
    current: PhoneVerification | None,
    *,
    now: float,
    create: Callable[[], PhoneVerification],
) -> tuple[PhoneVerification, bool]:
    """Start a verification, or re-start the pending one (API.md §3.14).

    *current* is the newest verification of the number, if any. While it is
    pending it is returned unchanged with ``True`` (re-sent: same uuid, code and
    expiry; ``code_length`` and ``custom_code`` are ignored); otherwise
    ``create()`` is called, only then, and its value returned with ``False``.
    """
    if current is not None and is_pending(current, now=now):
        return current, True
    return create(), False


def check(
    v: PhoneVerification, code: str, *, now: float
) -> tuple[CheckOutcome, PhoneVerification]:
    """Check *code* against *v* at *now* (API.md §3.15); returns what happened and
    the verification to store.

    The comparison takes the same time wherever the codes differ
    (``hmac.compare_digest``). A verification that is not pending is returned
    unchanged with NOT_PENDING.
    """
    if not is_pending(v, now=now):
        return CheckOutcome.NOT_PENDING, v
    if hmac.compare_digest(v.code.encode(), code.encode("utf-8", "surrogatepass")):
        return CheckOutcome.CORRECT, replace(v, status=VerificationStatus.VERIFIED)
    wrong = v.wrong_checks + 1
    if wrong >= MAX_WRONG_CHECKS:
        invalidated = replace(v, wrong_checks=wrong, status=VerificationStatus.EXPIRED)
        return CheckOutcome.INVALIDATED, invalidated
    return CheckOutcome.WRONG, replace(v, wrong_checks=wrong)
