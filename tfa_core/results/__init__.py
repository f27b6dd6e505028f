"""What the tfa API answers, as typed values (API.md §3).

Each result is a frozen dataclass made from a decoded JSON body by ``from_body``,
which checks the shape and the JSON types and raises
:class:`~tfa_core.transport.TfaProtocolError` rather than return a partly filled
value. Every result keeps the decoded body in ``raw``. Times are Unix seconds.

One module per resource (``users``, ``tokens``, ``app``, ``phones``, ``onetouch``),
the body readers they share in ``_parse``; this package re-exports every result.
Pure: no I/O; :mod:`tfa_core.client` does the HTTP and calls these parsers.
"""

from __future__ import annotations

from .app import AppDetails, AppStats, MonthStats
from .onetouch import ApprovalRequestCreated, ApprovalRequestInfo
from .phones import PhoneInfo, PhoneVerificationInfo, PhoneVerificationStarted
from .tokens import EmailSent, TokenDevice, TokenSent, TokenVerified
from .users import (
    Ack,
    DetailedDevice,
    QrCode,
    RegistrationStatus,
    UserRegistration,
    UserStatus,
)

__all__ = [
    "Ack",
    "AppDetails",
    "AppStats",
    "ApprovalRequestCreated",
    "ApprovalRequestInfo",
    "DetailedDevice",
    "EmailSent",
    "MonthStats",
    "PhoneInfo",
    "PhoneVerificationInfo",
    "PhoneVerificationStarted",
    "QrCode",
    "RegistrationStatus",
    "TokenDevice",
    "TokenSent",
    "TokenVerified",
    "UserRegistration",
    "UserStatus",
]
