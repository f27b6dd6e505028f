"""The results of the phone endpoints (API.md §3.14-3.17).

Each ``from_body`` checks the shape and JSON types of a decoded body (readers of
:mod:`._parse`); pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..verification import VerificationStatus
from ._parse import (
    Body,
    boolean,
    integer,
    one_of,
    opt_string,
    read_fields,
    string,
    success,
)

__all__ = [
    "PhoneInfo",
    "PhoneVerificationInfo",
    "PhoneVerificationStarted",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneVerificationStarted:
    """``POST phones/verification/start`` (API.md §3.14)."""

    uuid: str
    seconds_to_expire: int
    carrier: str
    is_cellphone: bool
    is_ported: bool
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> PhoneVerificationStarted:
        success(body)
        fields = read_fields(
            body,
            "",
            uuid=string,
            seconds_to_expire=integer,
            carrier=string,
            is_cellphone=boolean,
            is_ported=boolean,
            message=string,
        )
        return cls(**fields, raw=dict(body))


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneVerificationInfo:
    """``GET phones/verification/status`` (API.md §3.16)."""

    uuid: str
    status: VerificationStatus
    seconds_to_expire: int
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> PhoneVerificationInfo:
        success(body)
        fields = read_fields(
            body,
            "",
            uuid=string,
            status=one_of(VerificationStatus),
            seconds_to_expire=integer,
            message=string,
        )
        return cls(**fields, raw=dict(body))


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneInfo:
    """``GET phones/info`` (API.md §3.17); ``type``: cellphone, landline, voip..."""

    type: str
    provider: str | None
    ported: bool
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> PhoneInfo:
        success(body)
        fields = read_fields(
            body, "", type=string, provider=opt_string, ported=boolean, message=string
        )
        return cls(**fields, raw=dict(body))
