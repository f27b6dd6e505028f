"""Phone verification and phone information (API.md §3.14-3.17, §5.5).

The backend side: validates values, keeps one :class:`VerificationRecord` per
verification (newest per app and E.164 number in ``latest_verification``), sends
codes to the inbox and applies the ``verification_starts`` limit. The rules of a
verification (expiry, attempts, constant-time check) are tfa_core.verification's;
numbers are read by tfa_mock.phone and described with ``phonenumbers``. It does not
build response bodies or message strings of the wire (tfa_mock/api/phones.py does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tfa_core import codes, verification
from tfa_core.verification import CheckOutcome, VerificationStatus

from ..phone import parse_phone
from ..wire import errors
from .base import BackendBase
from .records import Channel, VerificationRecord

__all__ = [
    "CODE_LENGTH",
    "PhoneInfo",
    "PhoneKind",
    "PhoneOps",
    "VerificationStart",
    "VerificationState",
]

PhoneKind = Literal["cellphone", "landline", "voip", "unknown"]

CODE_LENGTH = (4, 10)  # API.md §3.14: code_length and custom_code, default 4
_DEFAULT_CODE_LENGTH = 4
_CHANNEL: dict[str, Channel] = {"sms": "sms", "call": "voice"}


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationStart:
    """What a start answers: the verification and what is known of the number."""

    uuid: str
    seconds_to_expire: int
    carrier: str  # "Unknown carrier" when phonenumbers knows none (API.md §3.14)
    is_cellphone: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationState:
    """A verification's status at one instant (API.md §3.16)."""

    uuid: str
    status: VerificationStatus
    seconds_to_expire: int  # 0 unless pending


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneInfo:
    """What the mock knows of a number (API.md §3.17) and the clock time of it."""

    kind: PhoneKind
    provider: str  # "Unknown" when phonenumbers knows no carrier
    as_of: float


class PhoneOps(BackendBase):
    """Phone verifications and phone information (mixed into :class:`Backend`)."""

    def start_verification(
        self,
        app_id: int,
        *,
        via: str,
        country_code: int,
        phone_number: str,
        code_length: int | None = None,
        custom_message: str | None = None,
        custom_code: str | None = None,
        drop: bool = False,
    ) -> VerificationStart:
        """Start a verification of a number, or re-send the pending one (§3.14).

        Checks in the order of API.md §3.14: values (60004), the number (60033),
        custom codes (60021), the channel (60007/60006), ``verification_starts``
        (429). A start while one is pending re-sends its code by *via* and keeps its
        uuid and expiry, drawing no randomness (API.md §8: the seeded sequence).
        """
        if via not in _CHANNEL:
            raise errors.InvalidParameter("via", "Must be one of: sms, call")
        length = _DEFAULT_CODE_LENGTH if code_length is None else code_length
        if not CODE_LENGTH[0] <= length <= CODE_LENGTH[1]:
            raise errors.InvalidParameter(
                "code_length", "Must be an integer between 4 and 10"
            )
        if custom_code is not None and not codes.is_numeric(
            custom_code, min_len=CODE_LENGTH[0], max_len=CODE_LENGTH[1]
        ):
            raise errors.InvalidParameter("custom_code", "Must be 4 to 10 digits")
        channel: Literal["sms", "call"] = "sms" if via == "sms" else "call"
        phone = _phone(country_code, phone_number)
        with self.lock:
            now = self.now()
            app = self._app(app_id)
            if custom_code is not None and not app.custom_codes_enabled:
                raise errors.CustomCodesNotAllowed()
            if via == "sms" and not app.sms_enabled:
                raise errors.SmsDisabled()
            if via == "call" and not app.phone_calls_enabled:
                raise errors.CallsDisabled()
            self.hit_limit(app, "verification_starts", phone)
            latest = self._latest_verification(app_id, phone)

            def create() -> verification.PhoneVerification:
                uuid = self.draw_uuid()
                code = custom_code or codes.numeric_code(length, self.rng)
                return verification.new(uuid=uuid, phone=phone, code=code, now=now)

            found, resent = verification.start(
                latest.verification if latest is not None else None,
                now=now,
                create=create,
            )
            if resent and latest is not None:
                record = latest
                record.via = channel
            else:
                record = VerificationRecord(
                    app_id=app_id,
                    via=channel,
                    verification=found,
                )
                self.verifications[found.uuid] = record
                self.latest_verification[app_id, phone] = found.uuid
            code = record.verification.code
            self.deliver(
                app_id=app_id,
                channel=_CHANNEL[via],
                to=phone,
                body=_text(app.name, code, custom_message),
                code=code,
                purpose="phone_verification",
                user_id=None,
                drop=drop,
            )
            name, kind = _describe(phone)
            return VerificationStart(
                uuid=record.verification.uuid,
                seconds_to_expire=verification.seconds_to_expire(
                    record.verification, now=now
                ),
                carrier=name or "Unknown carrier",
                is_cellphone=kind == "cellphone",
            )

    def check_verification(
        self, app_id: int, *, country_code: int, phone_number: str, code: str
    ) -> None:
        """Check a code against the number's pending verification (API.md §3.15).

        Returns on a correct code (the verification is consumed). Nothing pending
        -> 60023 naming ``+<cc> <phone_number>`` as submitted; a wrong code ->
        60022, the fifth one also invalidating the verification.
        """
        phone = _phone(country_code, phone_number)
        with self.lock:
            now = self.now()
            record = self._latest_verification(app_id, phone)
            if record is None:
                raise errors.VerificationNotPending(country_code, phone_number)
            outcome, record.verification = verification.check(
                record.verification, code, now=now
            )
            if outcome is CheckOutcome.CORRECT:
                return
            if outcome is CheckOutcome.NOT_PENDING:
                raise errors.VerificationNotPending(country_code, phone_number)
            raise errors.VerificationCodeIncorrect()  # WRONG or INVALIDATED

    def verification_status(
        self,
        app_id: int,
        *,
        uuid: str | None = None,
        country_code: int | None = None,
        phone_number: str | None = None,
    ) -> VerificationState:
        """The status of a verification by *uuid*, else the newest one of the number
        (API.md §3.16). Neither form -> 60004 on ``uuid``; unknown -> 60023."""
        phone: str | None = None
        if not uuid:
            if country_code is None or not phone_number:
                raise errors.InvalidParameter("uuid", "Parameter is required")
            phone = _phone(country_code, phone_number)
        with self.lock:
            now = self.now()
            if phone is not None:
                record = self._latest_verification(app_id, phone)
            else:
                record = self.verifications.get(uuid) if uuid else None
            if record is None or record.app_id != app_id:
                raise errors.PhoneVerificationNotFound()
            return VerificationState(
                uuid=record.verification.uuid,
                status=verification.status_at(record.verification, now=now),
                seconds_to_expire=verification.seconds_to_expire(
                    record.verification, now=now
                ),
            )

    def phone_info(self, *, country_code: int, phone_number: str) -> PhoneInfo:
        """What ``phonenumbers`` knows of a number, at the clock's time (§3.17)."""
        phone = _phone(country_code, phone_number)
        name, kind = _describe(phone)
        return PhoneInfo(kind=kind, provider=name or "Unknown", as_of=self.now())

    def _latest_verification(
        self, app_id: int, phone: str
    ) -> VerificationRecord | None:
        """The live newest verification of *phone* in *app_id*, if any."""
        uuid = self.latest_verification.get((app_id, phone))
        return self.verifications.get(uuid) if uuid is not None else None


def _phone(country_code: int, phone_number: str) -> str:
    """The E.164 form of a number (API.md §3.1 rules), else 60033."""
    phone = parse_phone(country_code, phone_number)
    if phone is None:
        raise errors.PhoneInvalid()
    return phone


def _describe(phone: str) -> tuple[str, PhoneKind]:
    """The carrier name ("" when unknown) and kind of a valid E.164 number."""
    # Imported here: carrier's prefix tables take ~20 ms more to load, which
    # start-up and every test session that never asks for a carrier should not pay.
    import phonenumbers
    from phonenumbers import PhoneNumberType, carrier

    # API.md §3.17: the phonenumbers type -> the wire's type.
    kinds: dict[int, PhoneKind] = {
        PhoneNumberType.MOBILE: "cellphone",
        PhoneNumberType.FIXED_LINE_OR_MOBILE: "cellphone",
        PhoneNumberType.FIXED_LINE: "landline",
        PhoneNumberType.VOIP: "voip",
    }
    number = phonenumbers.parse(phone, None)
    name: str = carrier.name_for_number(number, "en")
    return name, kinds.get(phonenumbers.number_type(number), "unknown")


def _text(app_name: str, code: str, custom_message: str | None) -> str:
    """The message text (API.md §3.14): ``{{code}}`` replaced, else appended."""
    if not custom_message:
        return f"Your {app_name} verification code is: {code}"
    if "{{code}}" in custom_message:
        return custom_message.replace("{{code}}", code)
    return f"{custom_message} {code}"
