"""What the tfa API answers, as typed values (API.md §3).

Each result is a frozen dataclass made from a decoded JSON body by ``from_body``,
which checks the shape and the JSON types and raises
:class:`~tfa_core.transport.TfaProtocolError` rather than return a partly filled
value. Every result keeps the decoded body in ``raw``. Times are Unix seconds.

Pure: no I/O; :mod:`tfa_core.client` does the HTTP and calls these parsers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .approval import Logo, Status
from .errors import InvalidParameter
from .transport import TfaProtocolError
from .verification import VerificationStatus

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

Body = Mapping[str, Any]
Reader = Callable[[Body, str, str], Any]

# -- reading a body: each reader takes (object, key, where-prefix) ---------------------


def _bad(where: str, key: str, expected: str, value: object) -> TfaProtocolError:
    return TfaProtocolError(f"{where}{key}: expected {expected}, got {value!r}")


def _typed(kind: type, expected: str, *, optional: bool) -> Reader:
    def read(obj: Body, key: str, where: str) -> Any:
        value = obj.get(key)
        if value is None and optional:
            return None
        # bool is an int in Python but not in JSON: an id must not be ``true``.
        if not isinstance(value, kind) or (
            isinstance(value, bool) and kind is not bool
        ):
            raise _bad(where, key, expected, value)
        return value

    return read


_str = _typed(str, "a string", optional=False)
_opt_str = _typed(str, "a string or null", optional=True)
_int = _typed(int, "an integer", optional=False)
_opt_int = _typed(int, "an integer or null", optional=True)
_bool = _typed(bool, "a boolean", optional=False)
_opt_bool = _typed(bool, "a boolean or null", optional=True)
_object = _typed(dict, "an object", optional=False)
_opt_object = _typed(dict, "an object or null", optional=True)
_list = _typed(list, "an array", optional=False)


def _opt_time(obj: Body, key: str, where: str) -> float | None:
    # API.md §3.19: YYYY-MM-DDTHH:MM:SSZ, UTC.
    text = _opt_str(obj, key, where)
    if text is None:
        return None
    try:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise _bad(where, key, "a YYYY-MM-DDTHH:MM:SSZ time", text) from None
    return moment.replace(tzinfo=timezone.utc).timestamp()


def _time(obj: Body, key: str, where: str) -> float:
    value = _opt_time(obj, key, where)
    if value is None:
        raise _bad(where, key, "a time", None)
    return value


def _str_map(obj: Body, key: str, where: str) -> dict[str, str] | None:
    value = _opt_object(obj, key, where)
    if value is not None and not all(isinstance(v, str) for v in value.values()):
        raise _bad(where, key, "an object of strings", value)
    return None if value is None else dict(value)


def _str_tuple(obj: Body, key: str, where: str) -> tuple[str, ...]:
    value = _list(obj, key, where)
    if not all(isinstance(v, str) for v in value):
        raise _bad(where, key, "an array of strings", value)
    return tuple(value)


def _items(obj: Body, key: str, where: str) -> list[dict[str, Any]]:
    value = _list(obj, key, where)
    if not all(isinstance(v, dict) for v in value):
        raise _bad(where, key, "an array of objects", value)
    return list(value)


def _read(obj: Body, where: str, **readers: Reader) -> dict[str, Any]:
    """``{name: reader(obj, name, where)}``: one typed value per field."""
    return {name: reader(obj, name, where) for name, reader in readers.items()}


def _success(body: Body, expected: bool | str = True) -> None:
    # API.md §1.4: success is JSON true, except the string "true" of a verify.
    value = body.get("success")
    if type(value) is not type(expected) or value != expected:
        raise _bad("", "success", repr(expected), value)


# -- users (API.md §3.1-3.7) -----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Ack:
    """A success with only a message (update, delete, activity, code check)."""

    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> Ack:
        _success(body)
        return cls(message=_str(body, "message", ""), raw=dict(body))


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRegistration:
    """``POST users/new``: the user's id (``authy_id``)."""

    user_id: int
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> UserRegistration:
        _success(body)
        user = _object(body, "user", "")
        return cls(
            user_id=_int(user, "id", "user."),
            message=_str(body, "message", ""),
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
        _success(body)
        status = _object(body, "status", "")
        where = "status."
        detailed = tuple(
            DetailedDevice(
                **_read(
                    item,
                    where + "detailed_devices[].",
                    device_id=_opt_int,
                    os_type=_str,
                    device_type=_opt_str,
                    registration_method=_opt_str,
                    last_sync_date=_opt_int,
                    creation_date=_opt_int,
                )
            )
            for item in _items(status, "detailed_devices", where)
        )
        return cls(
            user_id=_int(status, "authy_id", where),
            devices=_str_tuple(status, "devices", where),
            detailed_devices=detailed,
            message=_str(body, "message", ""),
            raw=dict(body),
            **_read(
                status,
                where,
                confirmed=_bool,
                registered=_bool,
                country_code=_int,
                phone_number=_str,
                email=_opt_str,
                has_hard_token=_bool,
                account_disabled=_bool,
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
        _success(body)
        fields = _read(body, "", qr_code=_str, label=_str, issuer=_str, message=_str)
        return cls(**fields, raw=dict(body))


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationStatus:
    """``GET registrations/status`` (API.md §3.7): ``pending``, ``completed``..."""

    status: str
    user_id: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> RegistrationStatus:
        _success(body)
        registration = _object(body, "registration", "")
        return cls(
            status=_str(registration, "status", "registration."),
            user_id=_opt_int(registration, "authy_id", "registration."),
            raw=dict(body),
        )


# -- tokens (API.md §3.8-3.11) ---------------------------------------------------------


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
        _success(body)
        # API.md §3.8: clients treat the presence of "ignored" as "ignored".
        if "ignored" in body:
            _bool(body, "ignored", "")
        fields = _read(body, "", cellphone=_str, device=_opt_str, message=_str)
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
        _success(body)
        fields = _read(body, "", email=_str, email_id=_str, message=_str)
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
        _success(body, "true")  # the string (API.md §1.4)
        if body.get("token") != "is valid":
            raise _bad("", "token", "'is valid'", body.get("token"))
        device = _opt_object(body, "device", "")
        return cls(
            message=_str(body, "message", ""),
            device=None
            if device is None
            else TokenDevice(
                **_read(
                    device,
                    "device.",
                    id=_opt_int,
                    os_type=_opt_str,
                    registration_date=_opt_int,
                    last_sync_date=_opt_int,
                    registration_method=_opt_str,
                )
            ),
            raw=dict(body),
        )


# -- the application (API.md §3.12-3.13) -----------------------------------------------


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
        _success(body)
        fields = _read(
            _object(body, "app", ""),
            "app.",
            app_id=_int,
            name=_str,
            plan=_str,
            sms_enabled=_bool,
            phone_calls_enabled=_bool,
            onetouch_enabled=_bool,
        )
        return cls(**fields, message=_str(body, "message", ""), raw=dict(body))


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
        _success(body)
        counts = dict.fromkeys(
            ("sms_count", "calls_count", "users_count", "auths_count"), _int
        )
        stats = tuple(
            MonthStats(
                **_read(
                    item,
                    "stats[].",
                    year=_int,
                    month=_str,
                    api_calls_count=_int,
                    **counts,
                )
            )
            for item in _items(body, "stats", "")
        )
        fields = _read(body, "", app_id=_int, total_users=_int, message=_str)
        return cls(**fields, stats=stats, raw=dict(body))


# -- phones (API.md §3.14-3.17) --------------------------------------------------------


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
        _success(body)
        fields = _read(
            body,
            "",
            uuid=_str,
            seconds_to_expire=_int,
            carrier=_str,
            is_cellphone=_bool,
            is_ported=_bool,
            message=_str,
        )
        return cls(**fields, raw=dict(body))


def _enum(kind: type[enum.Enum]) -> Reader:
    def read(obj: Body, key: str, where: str) -> Any:
        text = _str(obj, key, where)
        try:
            return kind(text)
        except ValueError:
            names = ", ".join(str(m.value) for m in kind)
            raise _bad(where, key, "one of " + names, text) from None

    return read


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
        _success(body)
        fields = _read(
            body,
            "",
            uuid=_str,
            status=_enum(VerificationStatus),
            seconds_to_expire=_int,
            message=_str,
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
        _success(body)
        fields = _read(
            body, "", type=_str, provider=_opt_str, ported=_bool, message=_str
        )
        return cls(**fields, raw=dict(body))


# -- approval requests (API.md §3.18-3.19, §4.1) ---------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalRequestCreated:
    """``POST …/approval_requests``: the new request's uuid."""

    uuid: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Body) -> ApprovalRequestCreated:
        _success(body)
        request = _object(body, "approval_request", "")
        return cls(uuid=_str(request, "uuid", "approval_request."), raw=dict(body))


def _logos(obj: Body, key: str, where: str) -> tuple[Logo, ...] | None:
    if obj.get(key) is None:
        return None
    inner = f"{where}{key}[]."
    logos = []
    for item in _items(obj, key, where):
        try:
            logos.append(Logo(**_read(item, inner, res=_str, url=_str)))
        except InvalidParameter:  # a res outside default/low/med/high, an empty url
            raise _bad(where, key, "logos as in API.md §3.18", item) from None
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
        _success(body)
        doc = _object(body, "approval_request", "")
        fields = _read(
            doc,
            "approval_request.",
            uuid=_str,
            status=_enum(Status),
            message=_str,
            details=_str_map,
            hidden_details=_str_map,
            logos=_logos,
            seconds_to_expire=_int,
            created_at=_time,
            updated_at=_opt_time,
            processed_at=_opt_time,
            notified=_opt_bool,
        )
        user_id = _opt_int(doc, "_authy_id", "approval_request.")
        return cls(**fields, user_id=user_id, raw=dict(body))
