"""The results of the user endpoints (API.md §3.1-3.7), and :class:`Ack`.

``Ack`` is the result of every endpoint that answers only a message
(update, delete, activity, a phone code check).

Each ``from_body`` checks the shape and JSON types of a decoded body (readers of
:mod:`._parse`); pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._parse import (
    Body,
    boolean,
    integer,
    mapping,
    objects,
    opt_integer,
    opt_string,
    read_fields,
    str_tuple,
    string,
    success,
)

__all__ = [
    "Ack",
    "DetailedDevice",
    "QrCode",
    "RegistrationStatus",
    "UserRegistration",
    "UserStatus",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Ack:
    """A success with only a message (update, delete, activity, code check)."""

    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> Ack:
        success(body)
        return cls(message=string(body, "message", ""), raw=dict(body))


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRegistration:
    """``POST users/new``: the user's id (``authy_id``)."""

    user_id: int
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> UserRegistration:
        success(body)
        user = mapping(body, "user", "")
        return cls(
            user_id=integer(user, "id", "user."),
            message=string(body, "message", ""),
            raw=dict(body),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DetailedDevice:
    """One installed device in a user status."""

    device_id: int | None
    os_type: str
    device_type: str | None
    registration_method: str | None
    last_sync_date: int | None
    creation_date: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserStatus:
    """``GET users/{id}/status`` (API.md §3.3); ``registered``: has a device."""

    user_id: int
    confirmed: bool
    registered: bool
    country_code: int
    phone_number: str
    email: str | None
    devices: tuple[str, ...]
    detailed_devices: tuple[DetailedDevice, ...]
    has_hard_token: bool
    account_disabled: bool
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> UserStatus:
        success(body)
        status = mapping(body, "status", "")
        where = "status."
        detailed = tuple(
            DetailedDevice(
                **read_fields(
                    item,
                    where + "detailed_devices[].",
                    device_id=opt_integer,
                    os_type=string,
                    device_type=opt_string,
                    registration_method=opt_string,
                    last_sync_date=opt_integer,
                    creation_date=opt_integer,
                )
            )
            for item in objects(status, "detailed_devices", where)
        )
        return cls(
            user_id=integer(status, "authy_id", where),
            devices=str_tuple(status, "devices", where),
            detailed_devices=detailed,
            message=string(body, "message", ""),
            raw=dict(body),
            **read_fields(
                status,
                where,
                confirmed=boolean,
                registered=boolean,
                country_code=integer,
                phone_number=string,
                email=opt_string,
                has_hard_token=boolean,
                account_disabled=boolean,
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class QrCode:
    """``POST users/{id}/secret`` (API.md §3.6): the URL of the enrollment QR."""

    qr_code: str
    label: str
    issuer: str
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> QrCode:
        success(body)
        fields = read_fields(
            body, "", qr_code=string, label=string, issuer=string, message=string
        )
        return cls(**fields, raw=dict(body))


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationStatus:
    """``GET registrations/status`` (API.md §3.7): ``pending``, ``completed``..."""

    status: str
    user_id: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> RegistrationStatus:
        success(body)
        registration = mapping(body, "registration", "")
        return cls(
            status=string(registration, "status", "registration."),
            user_id=opt_integer(registration, "authy_id", "registration."),
            raw=dict(body),
        )
