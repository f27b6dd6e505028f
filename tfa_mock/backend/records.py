"""The records the backend keeps: apps, users, devices, codes, messages, faults.

Plain mutable dataclasses owned by the backend and only touched under its lock. The
pure values of tfa_core (approval requests, phone verifications, rate-limit windows)
are kept inside them as they are. No Flask, no JSON, no XML here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tfa_core.approval import ApprovalRequest
from tfa_core.ratelimit import Limit
from tfa_core.verification import PhoneVerification

__all__ = [
    "LIMIT_KEYS",
    "AppRecord",
    "ApprovalRecord",
    "Channel",
    "Delivery",
    "Device",
    "Fault",
    "JournalEntry",
    "Message",
    "Purpose",
    "QrImage",
    "SentCode",
    "UserRecord",
    "VerificationRecord",
    "default_limits",
]

Channel = Literal["sms", "voice", "email"]
Purpose = Literal["token", "phone_verification", "install_link"]

# API.md §6: the keys of the per-app limits, in the order the control API shows them.
LIMIT_KEYS = ("verify_failures", "sends", "verification_starts", "requests")


def default_limits() -> dict[str, Limit | None]:
    """The limits of a new app (API.md §6); ``requests`` is off."""
    return {
        "verify_failures": Limit(max=10, window=600),
        "sends": Limit(max=5, window=600),
        "verification_starts": Limit(max=5, window=600),
        "requests": None,
    }


@dataclass(slots=True, kw_only=True)
class AppRecord:
    """One application: its key, settings and limits (API.md §7.4)."""

    app_id: int
    object_id: str
    name: str
    api_key: str
    plan: str = "pay_as_you_go"
    callback_url: str | None = None
    callback_method: Literal["POST", "GET"] = "POST"
    token_length: int = 7
    sms_token_ttl: int = 600
    sms_enabled: bool = True
    phone_calls_enabled: bool = True
    onetouch_enabled: bool = True
    custom_codes_enabled: bool = False
    callback_on_expiry: bool = False
    limits: dict[str, Limit | None] = field(default_factory=default_limits)


@dataclass(slots=True, kw_only=True)
class Device:
    """The simulated authenticator device of a user (API.md §7.6)."""

    id: int
    uuid: str
    kind: str
    installed_at: float


@dataclass(slots=True, kw_only=True)
class UserRecord:
    """A registered user of one app."""

    id: int
    app_id: int
    object_id: str
    email: str
    phone: str  # E.164
    country_code: int
    cellphone: str  # national number as submitted
    key: bytes  # the 20-byte TOTP secret (API.md §5.1)
    created_at: float
    confirmed: bool = False
    suspended: bool = False
    generic_enrolled: bool = False
    device: Device | None = None
    last_device_step: int | None = None  # replay record of the device-app TOTP
    last_generic_step: int | None = None  # replay record of the generic TOTP
    activities: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class SentCode:
    """An SMS, voice or e-mail token (API.md §5.4)."""

    code: str
    user_id: int
    channel: Channel
    action: str | None
    created_at: float
    expires_at: float
    used: bool = False


@dataclass(slots=True, kw_only=True)
class Message:
    """One entry of the fake inbox (API.md §7.5)."""

    id: int
    channel: Channel
    to: str
    body: str
    code: str | None
    purpose: Purpose
    user_id: int | None
    app_id: int
    created_at: float


@dataclass(slots=True, kw_only=True)
class VerificationRecord:
    """A phone verification of one app, with the channel it was last sent by."""

    app_id: int
    via: Literal["sms", "call"]
    verification: PhoneVerification


@dataclass(slots=True, kw_only=True)
class ApprovalRecord:
    """An approval request with what its documents and callbacks need."""

    app_id: int
    user_id: int
    object_id: str
    user_object_id: str
    user_email: str
    notified: bool
    request: ApprovalRequest
    device: Device | None = None  # the device at creation (callbacks describe it)
    expiry_noticed: bool = False
    # API.md §3.19 `_app_name` and `app_id`: the app's name and object id at creation.
    app_name: str = ""
    app_object_id: str = ""


@dataclass(slots=True, kw_only=True)
class QrImage:
    """A generated enrollment QR code, served at ``/qr/<id>.png``."""

    id: str
    app_id: int
    user_id: int
    uri: str
    size: int


@dataclass(slots=True, kw_only=True)
class JournalEntry:
    """One API request (API.md §7.11)."""

    time: float
    method: str
    path: str
    app_id: int | None
    status: int
    error_code: str | None
    duration_ms: int


@dataclass(slots=True, kw_only=True)
class Fault:
    """An injected fault (API.md §7.12)."""

    id: int
    endpoint: str
    to: str | None = None
    times: int = 1
    status: int | None = None
    error_code: str = "60000"
    message: str = "Injected fault"
    delay_ms: int = 0
    drop_message: bool = False


DeliveryStatus = Literal["pending", "delivered", "failed"]


@dataclass(slots=True, kw_only=True)
class Delivery:
    """A signed callback and its attempts (API.md §4.5, §7.10).

    URL, method and payload are fixed when it is created; each attempt signs with the
    app's key of that moment and a fresh nonce.
    """

    id: int
    app_id: int
    approval_request_uuid: str
    event: str  # approved, denied or expired
    method: Literal["POST", "GET"]
    url: str
    payload: dict[str, Any]
    status: DeliveryStatus = "pending"
    next_attempt_at: float | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    scheduled_attempts: int = 0  # failed attempts of the schedule (not by hand)
    in_flight: bool = False
