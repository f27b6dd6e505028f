"""The results of the application endpoints (API.md §3.12-3.13).

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
    read_fields,
    string,
    success,
)

__all__ = [
    "AppDetails",
    "AppStats",
    "MonthStats",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class AppDetails:
    """``GET app/details`` (API.md §3.12)."""

    app_id: int
    name: str
    plan: str
    sms_enabled: bool
    phone_calls_enabled: bool
    onetouch_enabled: bool
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> AppDetails:
        success(body)
        fields = read_fields(
            mapping(body, "app", ""),
            "app.",
            app_id=integer,
            name=string,
            plan=string,
            sms_enabled=boolean,
            phone_calls_enabled=boolean,
            onetouch_enabled=boolean,
        )
        return cls(**fields, message=string(body, "message", ""), raw=dict(body))


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthStats:
    """One month of ``app/stats``; ``month`` is the English name (``"March"``)."""

    year: int
    month: str
    sms_count: int
    calls_count: int
    users_count: int
    auths_count: int
    api_calls_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AppStats:
    """``GET app/stats`` (API.md §3.13): twelve months, oldest first."""

    app_id: int
    total_users: int
    stats: tuple[MonthStats, ...]
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> AppStats:
        success(body)
        counts = dict.fromkeys(
            ("sms_count", "calls_count", "users_count", "auths_count"), integer
        )
        stats = tuple(
            MonthStats(
                **read_fields(
                    item,
                    "stats[].",
                    year=integer,
                    month=string,
                    api_calls_count=integer,
                    **counts,
                )
            )
            for item in objects(body, "stats", "")
        )
        fields = read_fields(
            body, "", app_id=integer, total_users=integer, message=string
        )
        return cls(**fields, stats=stats, raw=dict(body))
