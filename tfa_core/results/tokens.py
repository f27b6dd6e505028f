"""The results of the token endpoints (API.md §3.8-3.11).

Each ``from_body`` checks the shape and JSON types of a decoded body (readers of
:mod:`._parse`); pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._parse import (
    Body,
    bad,
    boolean,
    opt_integer,
    opt_mapping,
    opt_string,
    read_fields,
    string,
    success,
)

__all__ = [
    "EmailSent",
    "TokenDevice",
    "TokenSent",
    "TokenVerified",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenSent:
    """``GET sms/{id}`` or ``call/{id}`` (API.md §3.8-3.9).

    ``ignored``: nothing was sent, because the user has a device (``device``, its
    kind) and ``force`` was not given.
    """

    cellphone: str
    ignored: bool
    device: str | None
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> TokenSent:
        success(body)
        # API.md §3.8: clients treat the presence of "ignored" as "ignored".
        if "ignored" in body:
            boolean(body, "ignored", "")
        fields = read_fields(
            body, "", cellphone=string, device=opt_string, message=string
        )
        return cls(**fields, ignored="ignored" in body, raw=dict(body))


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailSent:
    """``POST email/{id}`` (API.md §3.10)."""

    email: str
    email_id: str
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> EmailSent:
        success(body)
        fields = read_fields(body, "", email=string, email_id=string, message=string)
        return cls(**fields, raw=dict(body))


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenDevice:
    """The ``device`` of an accepted token (API.md §3.11).

    ``os_type`` says what matched: the device kind (device-app TOTP), ``"sms"`` (a
    sent code, or an unchecked pass without ``force``) or ``"generic"``.
    """

    id: int | None
    os_type: str | None
    registration_date: int | None
    last_sync_date: int | None
    registration_method: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenVerified:
    """``GET verify/{token}/{id}`` accepted the token (API.md §3.11)."""

    message: str
    device: TokenDevice | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> TokenVerified:
        success(body, "true")  # the string (API.md §1.4)
        if body.get("token") != "is valid":
            raise bad("", "token", "'is valid'", body.get("token"))
        device = opt_mapping(body, "device", "")
        return cls(
            message=string(body, "message", ""),
            device=None
            if device is None
            else TokenDevice(
                **read_fields(
                    device,
                    "device.",
                    id=opt_integer,
                    os_type=opt_string,
                    registration_date=opt_integer,
                    last_sync_date=opt_integer,
                    registration_method=opt_string,
                )
            ),
            raw=dict(body),
        )
