"""The approval-request state machine (API.md §3.18-3.19, §4.1).

A request is created ``pending``; the device's Approve or Deny moves it to
``approved`` or ``denied``; time alone makes a pending request ``expired`` at
``created_at + seconds_to_expire`` (never when that is 0). One transition table
holds every legal move; :func:`apply` returns a new value or raises
InvalidTransition and leaves its input as it was.

Pure: no clock, no randomness, no I/O. The caller passes ``now`` and draws the
uuid. Not done here: users, apps, devices, callbacks, the wire formats (turning
JSON numbers or booleans in ``details`` into text is the wire's job: this module
takes strings only).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from ._enum import TextEnum
from .errors import InvalidApprovalParameter, InvalidParameter, InvalidTransition

__all__ = [
    "TRANSITIONS",
    "ApprovalRequest",
    "Approve",
    "Deny",
    "Event",
    "Logo",
    "LogoRes",
    "Status",
    "apply",
    "create",
    "expires_at",
    "processed_at",
    "status_at",
]

LogoRes = Literal["default", "low", "med", "high"]
_LOGO_RES: dict[str, LogoRes] = {
    "default": "default",
    "low": "low",
    "med": "med",
    "high": "high",
}
DEFAULT_SECONDS_TO_EXPIRE = 86400  # API.md §3.18
MAX_MESSAGE = 200
MAX_DETAILS = 50

# The wire reasons of API.md §2, word for word.
_REQUIRED = "Parameter is required"
_MESSAGE_TOO_LONG = "Must be at most 200 characters"
_BAD_DETAILS = "Must be an object of at most 50 string values"
_BAD_LOGOS = "Must be a list of {res, url} with res one of: default, low, med, high"
_BAD_SECONDS = "Must be a non-negative integer"


class Status(TextEnum):
    """Where a request stands (API.md §4.1)."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True, kw_only=True)
class Logo:
    """One logo of a request: a resolution and a URL."""

    res: LogoRes
    url: str

    def __post_init__(self) -> None:
        res, url = self.res, self.url
        if not isinstance(res, str) or res not in _LOGO_RES:
            raise InvalidApprovalParameter("logos", _BAD_LOGOS)
        if not isinstance(url, str) or not url:
            raise InvalidApprovalParameter("logos", _BAD_LOGOS)

    def to_dict(self) -> dict[str, str]:
        """``{"res": ..., "url": ...}``, the wire shape."""
        return {"res": self.res, "url": self.url}


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Something the device does to a request."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Approve(Event):
    """The user approved the request on the device."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Deny(Event):
    """The user denied the request on the device."""


# Every legal move; a pair missing from the table is an illegal move (API.md §4.1:
# deciding a request that is not pending is refused). EXPIRED is reached by time.
TRANSITIONS: dict[tuple[Status, type[Event]], Status] = {
    (Status.PENDING, Approve): Status.APPROVED,
    (Status.PENDING, Deny): Status.DENIED,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalRequest:
    """An approval request: what API.md §3.19 shows, minus the app and user facts.

    ``status`` is the stored status; the status at a given time is
    :func:`status_at`, since expiry happens by time alone.
    """

    uuid: str
    message: str
    details: dict[str, str] | None
    hidden_details: dict[str, str] | None
    logos: tuple[Logo, ...] | None
    seconds_to_expire: int
    created_at: float
    status: Status = Status.PENDING
    decided_at: float | None = None

    def to_dict(self) -> dict[str, object]:
        """A plain JSON-able dict; :meth:`from_dict` turns it back."""
        return {
            "uuid": self.uuid,
            "message": self.message,
            "details": None if self.details is None else dict(self.details),
            "hidden_details": (
                None if self.hidden_details is None else dict(self.hidden_details)
            ),
            "logos": (
                None if self.logos is None else [logo.to_dict() for logo in self.logos]
            ),
            "seconds_to_expire": self.seconds_to_expire,
            "created_at": self.created_at,
            "status": self.status.value,
            "decided_at": self.decided_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ApprovalRequest:
        """The inverse of :meth:`to_dict`; raises InvalidParameter on bad input.

        The fields go through the checks of :func:`create` again, and *data* must be
        exactly what :meth:`to_dict` gives (no defaults filled in, no extra keys).
        """
        if not isinstance(data, Mapping):
            raise InvalidParameter("request: must be a mapping")
        uuid = _required(data, "uuid")
        if not isinstance(uuid, str):
            raise InvalidParameter("uuid: must be a string")
        raw_status = _required(data, "status")
        try:
            status = Status(raw_status)
        except ValueError:
            raise InvalidParameter(
                "status: must be one of pending, approved, denied, expired"
            ) from None
        created_at = _required(data, "created_at")
        if not _is_instant(created_at):
            raise InvalidParameter("created_at: must be a finite number")
        decided_at = _required(data, "decided_at")
        if decided_at is not None and not _is_instant(decided_at):
            raise InvalidParameter("decided_at: must be a finite number or None")
        request = _build(
            uuid=uuid,
            message=_required(data, "message"),
            details=_required(data, "details"),
            hidden_details=_required(data, "hidden_details"),
            logos=_required(data, "logos"),
            seconds_to_expire=_required(data, "seconds_to_expire"),
            created_at=created_at,
        )
        result = replace(request, status=status, decided_at=decided_at)
        # Exact round trips only: a value create() would normalise (a None
        # seconds_to_expire, empty logos, an untrimmed message) is not a to_dict().
        if result.to_dict() != {key: data[key] for key in data}:
            raise InvalidParameter("request: not a value to_dict() produces")
        return result


def _required(data: Mapping[str, Any], name: str) -> Any:
    if name not in data:
        raise InvalidParameter(f"{name}: is required")
    return data[name]


def _is_instant(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _details(name: str, value: object) -> dict[str, str] | None:
    if value is None:
        return None
    if (
        not isinstance(value, Mapping)
        or len(value) > MAX_DETAILS
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        raise InvalidApprovalParameter(name, _BAD_DETAILS)
    return dict(value) or None  # API.md §3.18: empty counts as not given


def _logo(value: object) -> Logo:
    if isinstance(value, Logo):
        res: object = value.res
        url: object = value.url
    elif isinstance(value, Mapping):
        # API.md §3.18: extra logo keys are dropped.
        res, url = value.get("res"), value.get("url")
    else:
        raise InvalidApprovalParameter("logos", _BAD_LOGOS)
    if not isinstance(res, str) or res not in _LOGO_RES:
        raise InvalidApprovalParameter("logos", _BAD_LOGOS)
    if not isinstance(url, str) or not url:
        raise InvalidApprovalParameter("logos", _BAD_LOGOS)
    return Logo(res=_LOGO_RES[res], url=url)


def _logos(value: object) -> tuple[Logo, ...] | None:
    if value is None:
        return None
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise InvalidApprovalParameter("logos", _BAD_LOGOS)
    return tuple(_logo(item) for item in value) or None


def _build(
    *,
    uuid: str,
    message: object,
    details: object,
    hidden_details: object,
    logos: object,
    seconds_to_expire: object,
    created_at: float,
) -> ApprovalRequest:
    # Checked in the order of the API.md §3.18 table.
    if not isinstance(message, str) or not message.strip():
        raise InvalidApprovalParameter("message", _REQUIRED)
    text = message.strip()
    if len(text) > MAX_MESSAGE:
        raise InvalidApprovalParameter("message", _MESSAGE_TOO_LONG)
    shown = _details("details", details)
    hidden = _details("hidden_details", hidden_details)
    pictures = _logos(logos)
    if seconds_to_expire is None:
        seconds_to_expire = DEFAULT_SECONDS_TO_EXPIRE
    if (
        not isinstance(seconds_to_expire, int)
        or isinstance(seconds_to_expire, bool)
        or seconds_to_expire < 0
    ):
        raise InvalidApprovalParameter("seconds_to_expire", _BAD_SECONDS)
    return ApprovalRequest(
        uuid=uuid,
        message=text,
        details=shown,
        hidden_details=hidden,
        logos=pictures,
        seconds_to_expire=seconds_to_expire,
        created_at=created_at,
    )


def create(
    *,
    uuid: str,
    message: str,
    now: float,
    details: Mapping[str, str] | None = None,
    hidden_details: Mapping[str, str] | None = None,
    logos: Sequence[Logo | Mapping[str, object]] | None = None,
    seconds_to_expire: int | None = DEFAULT_SECONDS_TO_EXPIRE,
) -> ApprovalRequest:
    """A new pending request created at *now*, validated as API.md §3.18 says.

    *message* is stored trimmed; empty *details*, *hidden_details* and *logos* are
    stored as None; *logos* items may be :class:`Logo` values or ``{res, url}``
    mappings (other keys are dropped); *seconds_to_expire* None means the default,
    86400, and 0 means never. Raises InvalidApprovalParameter whose ``reason`` is
    the API.md §2 text.
    """
    return _build(
        uuid=uuid,
        message=message,
        details=details,
        hidden_details=hidden_details,
        logos=logos,
        seconds_to_expire=seconds_to_expire,
        created_at=now,
    )


def expires_at(req: ApprovalRequest) -> float | None:
    """The instant a pending *req* turns expired; None when it never does."""
    if req.seconds_to_expire == 0:
        return None
    return req.created_at + req.seconds_to_expire


def status_at(req: ApprovalRequest, *, now: float) -> Status:
    """The status at *now*: a pending request is expired from its expiry instant on."""
    if req.status is Status.PENDING:
        end = expires_at(req)
        if end is not None and now >= end:
            return Status.EXPIRED
    return req.status


def processed_at(req: ApprovalRequest, *, now: float) -> float | None:
    """API.md §4.1: the decision instant, the expiry instant, or None while pending."""
    if req.decided_at is not None:
        return req.decided_at
    if status_at(req, now=now) is Status.EXPIRED:
        return expires_at(req)
    return None


def apply(req: ApprovalRequest, event: Event, *, now: float) -> ApprovalRequest:
    """*req* after *event* at *now*; raises InvalidTransition for an illegal move.

    The input is never changed (it is frozen); an illegal move raises before any
    new value exists.
    """
    current = status_at(req, now=now)  # PENDING turns EXPIRED by time alone
    try:
        new = TRANSITIONS[current, type(event)]
    except KeyError:
        raise InvalidTransition(
            f"{type(event).__name__} not allowed in {current.value}"
        ) from None
    return replace(req, status=new, decided_at=now)
