"""The Python client of the tfa API (API.md §3), on the standard library only.

:class:`Client` has one method per endpoint. It checks what it can before sending
(raising :class:`~tfa_core.errors.InvalidParameter`, a ``ValueError``), sends the key
in ``X-TFA-API-Key``, GET parameters in the query and POST parameters as compact
JSON (API.md §1.3), always on the ``json`` paths, and returns the typed values of
:mod:`tfa_core.results`. An error answer raises :class:`TfaApiError`, no answer
:class:`TfaTransportError`, a success of the wrong shape :class:`TfaProtocolError`.

I/O: the HTTP exchange (:mod:`tfa_core.transport`), ``sleep`` and ``monotonic`` are
injectable, so tests need neither a network nor real waiting. Callback signatures
are checked by :mod:`tfa_core.signature`; nothing is cached or stored here. The
methods say which endpoint and what parameters; encoding, sending, retries and
reading the answer are the base class's (:mod:`tfa_core._exchange`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, Protocol

from . import _checks as check
from . import signature
from ._exchange import Exchange
from .approval import Logo, Status
from .errors import InvalidParameter
from .results import (
    Ack,
    AppDetails,
    ApprovalRequestCreated,
    ApprovalRequestInfo,
    AppStats,
    EmailSent,
    PhoneInfo,
    PhoneVerificationInfo,
    PhoneVerificationStarted,
    QrCode,
    RegistrationStatus,
    TokenSent,
    TokenVerified,
    UserRegistration,
    UserStatus,
)
from .transport import TfaApiError, TfaProtocolError, TfaTransportError
from .verification import VerificationStatus

__all__ = [
    "Activity",
    "Client",
    "Headers",
    "Logo",
    "Status",
    "TfaApiError",
    "TfaProtocolError",
    "TfaTransportError",
    "VerificationStatus",
    "Via",
]

Via = Literal["sms", "call"]
Activity = Literal["password_reset", "banned", "unbanned", "cookie_login"]


class Headers(Protocol):
    """Anything with ``items()`` of name/value pairs: a dict, Flask's headers..."""

    def items(self) -> Iterable[tuple[str, str]]: ...  # pragma: no cover


class Client(Exchange):
    """A client of the tfa API for one app (one API key).

    ``timeout`` bounds the connection and each read, in seconds. ``retries`` (0:
    off) re-sends a request refused with 429 once ``Retry-After`` has
    passed and a read-only GET whose connection failed (not one that timed out: it
    may have been processed); a wait over ``max_retry_wait`` seconds is not taken and
    the error is raised. ``sleep`` and ``monotonic`` serve retries and
    :meth:`wait_for_approval`; ``transport`` does the HTTP (default: urllib).
    """

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r})"  # never the key

    # -- users (API.md §3.1-3.7) --------------------------------------------------

    def register_user(
        self,
        email: str,
        cellphone: str,
        country_code: int,
        *,
        send_install_link_via_sms: bool | None = None,
    ) -> UserRegistration:
        """Register a user; the same phone again gives the same id (§3.1)."""
        user = {
            "email": check.email(email),
            "cellphone": check.text("cellphone", cellphone),
            "country_code": check.int_in("country_code", country_code, 1, 999),
        }
        install = check.opt_bool("send_install_link_via_sms", send_install_link_via_sms)
        params = {"user": user, "send_install_link_via_sms": install}
        path = "/protected/json/users/new"
        return self._call("POST", path, UserRegistration.from_body, params)

    def update_user(self, user_id: int, email: str) -> Ack:
        """Change a user's e-mail (§3.4)."""
        path = f"/protected/json/users/{check.user_id(user_id)}/update"
        return self._call("POST", path, Ack.from_body, {"email": check.email(email)})

    def delete_user(self, user_id: int, *, user_ip: str | None = None) -> Ack:
        """Remove a user at once (§3.2)."""
        path = f"/protected/json/users/{check.user_id(user_id)}/delete"
        params = {"user_ip": check.opt_text("user_ip", user_ip)}
        return self._call("POST", path, Ack.from_body, params)

    def user_status(self, user_id: int, *, user_ip: str | None = None) -> UserStatus:
        """Whether the user is confirmed, has a device, and which (§3.3)."""
        path = f"/protected/json/users/{check.user_id(user_id)}/status"
        params = {"user_ip": check.opt_text("user_ip", user_ip)}
        return self._call("GET", path, UserStatus.from_body, params, safe=True)

    def register_activity(
        self,
        user_id: int,
        activity: Activity,
        *,
        user_ip: str | None = None,
        data: Mapping[str, object] | None = None,
    ) -> Ack:
        """Record an activity; ``banned`` suspends the user till ``unbanned``."""
        params = {
            "type": check.choice("activity", activity, check.ACTIVITIES),
            "user_ip": check.opt_text("user_ip", user_ip),
            "data": check.data(data),
        }
        path = f"/protected/json/users/{check.user_id(user_id)}/register_activity"
        return self._call("POST", path, Ack.from_body, params)

    def generic_authenticator(
        self, user_id: int, *, qr_size: int | None = None, label: str | None = None
    ) -> QrCode:
        """Enroll the user's generic authenticator: the QR code's URL (§3.6)."""
        params = {
            "qr_size": None
            if qr_size is None
            else check.int_in("qr_size", qr_size, 50, 1000),
            "label": check.opt_text("label", label),
        }
        path = f"/protected/json/users/{check.user_id(user_id)}/secret"
        return self._call("POST", path, QrCode.from_body, params)

    def registration_status(self, custom_user_id: str) -> RegistrationStatus:
        """The status of an app-driven registration (§3.7)."""
        params = {"custom_user_id": check.text("custom_user_id", custom_user_id)}
        path = "/protected/json/registrations/status"
        return self._call("GET", path, RegistrationStatus.from_body, params, safe=True)

    # -- tokens (API.md §3.8-3.11) ------------------------------------------------

    def _send_token(
        self,
        channel: str,
        user_id: int,
        force: bool,
        action: str | None,
        action_message: str | None,
        locale: str | None,
    ) -> TokenSent:
        force = check.boolean("force", force)
        params = {
            "force": force or None,  # absent means false (§3.8)
            "action": check.opt_text("action", action),
            "action_message": check.opt_text("action_message", action_message),
            "locale": check.opt_text("locale", locale),
        }
        path = f"/protected/json/{channel}/{check.user_id(user_id)}"
        return self._call("GET", path, TokenSent.from_body, params)

    def request_sms(
        self,
        user_id: int,
        *,
        force: bool = False,
        action: str | None = None,
        action_message: str | None = None,
        locale: str | None = None,
    ) -> TokenSent:
        """Send a code by SMS; without ``force`` ignored for users with a device."""
        return self._send_token("sms", user_id, force, action, action_message, locale)

    def request_call(
        self,
        user_id: int,
        *,
        force: bool = False,
        action: str | None = None,
        action_message: str | None = None,
        locale: str | None = None,
    ) -> TokenSent:
        """Say a code in a voice call; without ``force`` ignored as for SMS."""
        return self._send_token("call", user_id, force, action, action_message, locale)

    def request_email(self, user_id: int) -> EmailSent:
        """Send a code by e-mail (§3.10)."""
        path = f"/protected/json/email/{check.user_id(user_id)}"
        return self._call("POST", path, EmailSent.from_body)

    def verify_token(
        self,
        user_id: int,
        token: str,
        *,
        force: bool = True,
        action: str | None = None,
    ) -> TokenVerified:
        """Check a token (TOTP or sent code); a refusal raises TfaApiError.

        ``force`` stays True unless you mean it: without it the server accepts any
        well-formed token from a user not yet confirmed (API.md §3.11 warning).
        A refused token raises :class:`TfaApiError` whose ``token_invalid`` is True.
        """
        force = check.boolean("force", force)
        token = check.digits("token", token, 6, 12)
        params = {"force": force, "action": check.opt_text("action", action)}
        path = f"/protected/json/verify/{check.segment('token', token)}/"
        path += check.user_id(user_id)
        return self._call("GET", path, TokenVerified.from_body, params)

    # -- the application (API.md §3.12-3.13) --------------------------------------

    def app_details(self) -> AppDetails:
        """The app's name, plan and switches (§3.12)."""
        path = "/protected/json/app/details"
        return self._call("GET", path, AppDetails.from_body, safe=True)

    def app_stats(self) -> AppStats:
        """Twelve months of counts, oldest first (§3.13)."""
        return self._call(
            "GET", "/protected/json/app/stats", AppStats.from_body, safe=True
        )

    # -- phones (API.md §3.14-3.17) -----------------------------------------------

    def start_phone_verification(
        self,
        country_code: int,
        phone_number: str,
        *,
        via: Via = "sms",
        code_length: int | None = None,
        locale: str | None = None,
        custom_message: str | None = None,
        custom_code: str | None = None,
    ) -> PhoneVerificationStarted:
        """Send a verification code to a number (§3.14)."""
        params = {
            "via": check.choice("via", via, ("sms", "call")),
            "country_code": check.int_in("country_code", country_code, 1, 999),
            "phone_number": check.text("phone_number", phone_number),
            "code_length": None
            if code_length is None
            else check.int_in("code_length", code_length, 4, 10),
            "locale": check.opt_text("locale", locale),
            "custom_message": check.opt_text("custom_message", custom_message),
            "custom_code": None
            if custom_code is None
            else check.digits("custom_code", custom_code, 4, 10),
        }
        path = "/protected/json/phones/verification/start"
        return self._call("POST", path, PhoneVerificationStarted.from_body, params)

    def check_phone_verification(
        self, country_code: int, phone_number: str, verification_code: str
    ) -> Ack:
        """Check the code the person received; a wrong one raises TfaApiError."""
        params = {
            "country_code": check.int_in("country_code", country_code, 1, 999),
            "phone_number": check.text("phone_number", phone_number),
            "verification_code": check.digits(
                "verification_code", verification_code, 4, 10
            ),
        }
        path = "/protected/json/phones/verification/check"
        return self._call("GET", path, Ack.from_body, params)

    def phone_verification_status(
        self,
        *,
        uuid: str | None = None,
        country_code: int | None = None,
        phone_number: str | None = None,
    ) -> PhoneVerificationInfo:
        """The status by ``uuid``, or of the newest one for a number (§3.16)."""
        by_number = country_code is not None or phone_number is not None
        if (uuid is None) != by_number:
            rule = "give either uuid or country_code and phone_number, not both"
            raise InvalidParameter(f"uuid: {rule}")
        if uuid is not None:
            params: dict[str, object] = {"uuid": check.text("uuid", uuid)}
        else:
            params = {
                "country_code": check.int_in("country_code", country_code, 1, 999),
                "phone_number": check.text("phone_number", phone_number),
            }
        path = "/protected/json/phones/verification/status"
        return self._call(
            "GET", path, PhoneVerificationInfo.from_body, params, safe=True
        )

    def phone_info(self, country_code: int, phone_number: str) -> PhoneInfo:
        """The type and provider of a number (§3.17)."""
        params = {
            "country_code": check.int_in("country_code", country_code, 1, 999),
            "phone_number": check.text("phone_number", phone_number),
        }
        path = "/protected/json/phones/info"
        return self._call("GET", path, PhoneInfo.from_body, params, safe=True)

    # -- approval requests (API.md §3.18-3.19, §4) --------------------------------

    def create_approval_request(
        self,
        user_id: int,
        message: str,
        *,
        details: Mapping[str, str] | None = None,
        hidden_details: Mapping[str, str] | None = None,
        logos: Sequence[Logo | Mapping[str, str]] | None = None,
        seconds_to_expire: int | None = None,
    ) -> ApprovalRequestCreated:
        """Push an approval request to the user; ``seconds_to_expire`` 0 = never.

        ``details`` are shown to the user, ``hidden_details`` are not; the server's
        default lifetime is 86400 s.
        """
        params = {
            "message": check.text("message", message, max_len=200),
            "details": check.string_map("details", details),
            "hidden_details": check.string_map("hidden_details", hidden_details),
            "logos": check.logos(logos),
            "seconds_to_expire": None
            if seconds_to_expire is None
            else check.int_in("seconds_to_expire", seconds_to_expire, 0),
        }
        path = f"/onetouch/json/users/{check.user_id(user_id)}/approval_requests"
        return self._call("POST", path, ApprovalRequestCreated.from_body, params)

    def get_approval_request(self, uuid: str) -> ApprovalRequestInfo:
        """An approval request and its status (expiry shows up by itself)."""
        path = f"/onetouch/json/approval_requests/{check.segment('uuid', uuid)}"
        return self._call("GET", path, ApprovalRequestInfo.from_body, safe=True)

    def wait_for_approval(
        self, uuid: str, timeout: float = 60.0, interval: float = 2.0
    ) -> ApprovalRequestInfo:
        """Poll until the request is approved, denied or expired, or *timeout* ends.

        Returns the last state read: still pending when *timeout* seconds (of the
        injected ``monotonic`` clock) passed first. Errors of a poll are raised.
        """
        wait = check.positive("timeout", timeout, allow_zero=True)
        every = check.positive("interval", interval, allow_zero=False)
        deadline = self._monotonic() + wait
        while True:
            request = self.get_approval_request(uuid)
            remaining = deadline - self._monotonic()
            if not request.is_pending or remaining <= 0:
                return request
            self._sleep(min(every, remaining))

    # -- callbacks (API.md §4.6) --------------------------------------------------

    def verify_callback(
        self,
        headers: Headers,
        method: str,
        url: str,
        body: str | bytes,
    ) -> bool:
        """True when a callback received by the app is signed with this app's key.

        *url* is the callback URL as configured (no query); *body* is the raw POST
        body or, for a GET callback, the raw query string.
        """
        received = dict(headers.items())
        return signature.verify(self._api_key, received, method, url, body)
