"""Users: register, remove, status, update, activities, generic enrollment, QR images.

The operations of API.md §3.1-3.6 and the ``/qr/<id>.png`` lookup. Each one takes
Python values (raw parameter values where the endpoint's own order of checks puts
the user lookup before their validation), reads the clock once, validates, changes
state under the lock and returns copies. Rendering bodies, masks and PNGs is the API
layer's; the rules of codes and TOTPs are tfa_core's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from tfa_core import otp

from ..phone import is_typed_national, parse_phone
from ..wire import errors
from .base import BackendBase
from .records import QrImage, UserRecord

__all__ = [
    "ACTIVITY_TYPES",
    "INSTALL_LINK_TEXT",
    "Enrollment",
    "UserOps",
    "copy_user",
]

# API.md §3.1: the e-mail rule.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_BLANK = "is invalid and can't be blank"
_INVALID = "is invalid"

ACTIVITY_TYPES = ("password_reset", "banned", "unbanned", "cookie_login")

# API.md §3.1 leaves the install-link text open; this one names the authenticator
# (the tfa app, API.md "the device"), the customer app and a link.
INSTALL_LINK_TEXT = "Download the tfa app to get your {app} verification codes: {url}"
INSTALL_LINK_URL = "https://tfa.com/download"

QR_SIZE_DEFAULT = 300
QR_SIZE_MIN, QR_SIZE_MAX = 50, 1000
# The most a QR code holds at level M in byte mode (version 40): a longer otpauth
# URI (a long label, e-mail or app name) could never be drawn at /qr/<id>.png.
QR_MAX_URI_BYTES = 2331


@dataclass(frozen=True, slots=True, kw_only=True)
class Enrollment:
    """The outcome of ``users/{id}/secret`` (API.md §3.6)."""

    label: str
    issuer: str
    qr_id: str


def copy_user(user: UserRecord) -> UserRecord:
    """A copy of *user* that shares nothing mutable with the live record."""
    device = replace(user.device) if user.device is not None else None
    return replace(user, device=device, activities=list(user.activities))


class UserOps(BackendBase):
    """Backend operations of this resource (mixed into :class:`Backend`)."""

    def register_user(
        self,
        app_id: int,
        *,
        email: object,
        cellphone: object,
        country_code: object,
        send_install_link: bool,
        drop: bool = False,
    ) -> int:
        """Register (or re-register) a user; the id (API.md §3.1).

        Raises UserNotValid (60027) with one entry per invalid field in the order
        email, cellphone, country_code.
        """
        with self.lock:
            now = self.now()
            app = self._app(app_id)
            valid_email, phone, cc, national = _user_fields(
                email, cellphone, country_code
            )
            uid = self.phone_index.get((app_id, phone))
            if uid is not None:
                # One E.164 number = one user per app: same id, the e-mail replaced.
                self.users[uid].email = valid_email
            else:
                uid = self.next_id("user")
                key = otp.new_key(self.rng)  # API.md §5.1, drawn before the object id
                self.users[uid] = UserRecord(
                    id=uid,
                    app_id=app_id,
                    object_id=self.draw_hex(24),
                    email=valid_email,
                    phone=phone,
                    country_code=cc,
                    cellphone=national,
                    key=key,
                    created_at=now,
                )
                self.phone_index[(app_id, phone)] = uid
                self.count_stat(app_id, "users_count")
            if send_install_link and app.sms_enabled:
                self.deliver(
                    app_id=app_id,
                    channel="sms",
                    to=phone,
                    body=INSTALL_LINK_TEXT.format(app=app.name, url=INSTALL_LINK_URL),
                    code=None,
                    purpose="install_link",
                    user_id=uid,
                    drop=drop,
                )
            return uid

    def remove_user(self, app_id: int, user_id: object) -> None:
        """Remove a user at once: device, codes, QR images (API.md §3.2).

        The phone becomes free; approval requests stay readable.
        """
        with self.lock:
            user = self._user(app_id, user_id)
            del self.users[user.id]
            self.phone_index.pop((app_id, user.phone), None)
            self.codes.pop(user.id, None)
            gone = [q.id for q in self.qr_images.values() if q.user_id == user.id]
            for qr_id in gone:
                del self.qr_images[qr_id]
            for limit_key in ("sends", "verify_failures"):
                self.windows.pop((app_id, limit_key, str(user.id)), None)

    def get_user(self, app_id: int, user_id: object) -> UserRecord:
        """A copy of the user (status, API.md §3.3); unknown -> UserNotFound."""
        with self.lock:
            return copy_user(self._user(app_id, user_id))

    def update_user(self, app_id: int, user_id: object, *, email: object) -> None:
        """Change a user's e-mail (API.md §3.4): 60026, then 60027 (email)."""
        with self.lock:
            user = self._user(app_id, user_id)
            problem = _email_problem(email)
            if problem is not None:
                raise errors.UserNotValid({"email": problem})
            assert isinstance(email, str)
            user.email = email.strip()

    def register_activity(
        self,
        app_id: int,
        user_id: object,
        *,
        kind: object,
        ip: str | None,
        data: object,
    ) -> None:
        """Record an activity; ``banned``/``unbanned`` (un)suspend (API.md §3.5)."""
        with self.lock:
            now = self.now()
            user = self._user(app_id, user_id)
            kind = kind.strip() if isinstance(kind, str) else kind
            if kind is None or kind == "":
                raise errors.InvalidParameter("type", "Parameter is required")
            if kind not in ACTIVITY_TYPES:
                raise errors.InvalidParameter(
                    "type", "Must be one of: " + ", ".join(ACTIVITY_TYPES)
                )
            if kind == "banned":
                user.suspended = True
            elif kind == "unbanned":
                user.suspended = False
            user.activities.append({"type": kind, "ip": ip, "data": data, "time": now})

    def enroll_generic(
        self, app_id: int, user_id: object, *, qr_size: object, label: str | None
    ) -> Enrollment:
        """Enroll a user in the generic TOTP and make a QR image (API.md §3.6).

        Errors in order: UserNotFound (60026), InvalidParameter (``qr_size``; then
        ``label`` when the otpauth URI would not fit in a QR code). The label
        defaults to the user's e-mail; the issuer is the app's name.
        """
        with self.lock:
            user = self._user(app_id, user_id)
            size = _qr_size(qr_size)
            app = self._app(app_id)
            the_label = label.strip() if label is not None else ""
            if not the_label:
                the_label = user.email
            uri = otp.otpauth_uri(user.key, label=the_label, issuer=app.name)
            if len(uri.encode("utf-8")) > QR_MAX_URI_BYTES:
                raise errors.InvalidParameter("label", "Too long for a QR code")
            qr_id = self.draw_hex(32)
            self.qr_images[qr_id] = QrImage(
                id=qr_id, app_id=app_id, user_id=user.id, uri=uri, size=size
            )
            user.generic_enrolled = True
            return Enrollment(label=the_label, issuer=app.name, qr_id=qr_id)

    def qr_image(self, qr_id: str) -> QrImage | None:
        """The QR image *qr_id* (a copy), or None once its user is deleted."""
        with self.lock:
            image = self.qr_images.get(qr_id)
            return replace(image) if image is not None else None


# -- validation (API.md §3.1) -----------------------------------------------------


def _text(value: object) -> str | None:
    """A scalar parameter as stripped text; None when missing or null.

    JSON numbers read as their decimal text; other types are not text (returned
    as a string no rule accepts, so the field is "is invalid", not blank).
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return "\0"


def _email_problem(value: object) -> str | None:
    text = _text(value)
    if not text:
        return _BLANK
    return None if _EMAIL.fullmatch(text) else _INVALID


def _country_code(value: object) -> int | None:
    """A calling code that names a region (``+`` allowed), else None."""
    import phonenumbers  # not at start-up (tfa_mock.phone says why)

    text = _text(value)
    if text is None:
        return None
    if text.startswith("+"):
        text = text[1:]
    if not (text.isascii() and text.isdigit()) or len(text) > 3:
        return None
    cc = int(text)
    if phonenumbers.region_code_for_country_code(cc) == "ZZ":
        return None
    return cc


def _user_fields(
    email: object, cellphone: object, country_code: object
) -> tuple[str, str, int, str]:
    """The e-mail, E.164 phone, calling code and national number, or UserNotValid.

    A bad country code marks only ``country_code``: the cellphone cannot be judged
    without it (it is still marked when blank or not made of digits and separators).
    """
    fields: dict[str, str] = {}
    email_problem = _email_problem(email)
    if email_problem is not None:
        fields["email"] = email_problem
    national = _text(cellphone)
    cc_text = _text(country_code)
    cc = _country_code(country_code)
    phone: str | None = None
    if not national:
        fields["cellphone"] = _BLANK
    elif not is_typed_national(national):
        fields["cellphone"] = _INVALID
    elif cc is not None:
        phone = parse_phone(cc, national)
        if phone is None:
            fields["cellphone"] = _INVALID
    if not cc_text:
        fields["country_code"] = _BLANK
    elif cc is None:
        fields["country_code"] = _INVALID
    if fields:
        raise errors.UserNotValid(fields)
    assert isinstance(email, str) and phone is not None and cc is not None
    assert national is not None
    return email.strip(), phone, cc, national


def _qr_size(value: object) -> int:
    """``qr_size``: default 300 when absent or blank, else an integer 50-1000."""
    text = _text(value)
    if not text:
        return QR_SIZE_DEFAULT
    if text.isascii() and text.isdigit() and len(text) <= 4:
        size = int(text)
        if QR_SIZE_MIN <= size <= QR_SIZE_MAX:
            return size
    raise errors.InvalidParameter("qr_size", "Must be an integer between 50 and 1000")
