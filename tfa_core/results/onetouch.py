"""The results of the approval-request endpoints (API.md §3.18-3.19, §4.1).

Each ``from_body`` checks the shape and JSON types of a decoded body (readers of
:mod:`._parse`); pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..approval import Logo, Status
from ..errors import InvalidParameter
from ._parse import (
    Body,
    bad,
    integer,
    mapping,
    objects,
    one_of,
    opt_boolean,
    opt_integer,
    opt_timestamp,
    read_fields,
    str_map,
    string,
    success,
    timestamp,
)

__all__ = [
    "ApprovalRequestCreated",
    "ApprovalRequestInfo",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalRequestCreated:
    """``POST …/approval_requests``: the new request's uuid."""

    uuid: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> ApprovalRequestCreated:
        success(body)
        request = mapping(body, "approval_request", "")
        return cls(uuid=string(request, "uuid", "approval_request."), raw=dict(body))


def _logos(obj: Body, key: str, where: str) -> tuple[Logo, ...] | None:
    if obj.get(key) is None:
        return None
    inner = f"{where}{key}[]."
    logos = []
    for item in objects(obj, key, where):
        try:
            logos.append(Logo(**read_fields(item, inner, res=string, url=string)))
        except InvalidParameter:  # a res outside default/low/med/high, an empty url
            raise bad(where, key, "logos as in API.md §3.18", item) from None
    return tuple(logos)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalRequestInfo:
    """``GET …/approval_requests/{uuid}`` (API.md §3.19).

    ``seconds_to_expire`` is the requested lifetime, not a countdown (0: never);
    ``processed_at`` is the decision or expiry instant, None while pending.
    """

    uuid: str
    status: Status
    message: str
    details: dict[str, str] | None
    hidden_details: dict[str, str] | None
    logos: tuple[Logo, ...] | None
    seconds_to_expire: int
    created_at: float
    updated_at: float | None
    processed_at: float | None
    notified: bool | None
    user_id: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def is_pending(self) -> bool:
        """Neither decided nor expired yet."""
        return self.status is Status.PENDING

    @classmethod
    def from_body(cls, body: Body) -> ApprovalRequestInfo:
        success(body)
        doc = mapping(body, "approval_request", "")
        fields = read_fields(
            doc,
            "approval_request.",
            uuid=string,
            status=one_of(Status),
            message=string,
            details=str_map,
            hidden_details=str_map,
            logos=_logos,
            seconds_to_expire=integer,
            created_at=timestamp,
            updated_at=opt_timestamp,
            processed_at=opt_timestamp,
            notified=opt_boolean,
        )
        user_id = opt_integer(doc, "_authy_id", "approval_request.")
        return cls(**fields, user_id=user_id, raw=dict(body))
