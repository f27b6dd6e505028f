"""Use case 7 (and tier 2 of use case 6): the bank's own authenticator app, made
and checked with tfa_core alone; codes verified once by the Guard, guesses
throttled."""

from __future__ import annotations

import io

import pyotp
import pytest
import zxingcpp
from PIL import Image

from tfa_core import b32encode, parse_otpauth_uri
from tfa_mock.pytest_plugin import TfaMock

from .conftest import ANA, Visitor, other_code, page_text


def code_at(key: bytes, now: float) -> str:
    """What an authenticator app shows at *now* (pyotp: an independent oracle)."""
    return str(pyotp.TOTP(b32encode(key)).at(now))


@pytest.fixture
def enrolling(visitor: Visitor) -> Visitor:
    """Ana (tier 1, logged in) has asked to set up an authenticator app."""
    visitor.sign_up(ANA)
    page = visitor.submit("/settings", to="/settings/authenticator")
    assert "Scan this QR code with your authenticator app" in page_text(page)
    return visitor


def pending_key(visitor: Visitor) -> bytes:
    key = visitor.account().totp_pending
    assert key is not None
    return key


def test_the_qr_code_holds_the_otpauth_uri(enrolling: Visitor) -> None:
    png = enrolling.client.get("/settings/authenticator/qr.png")
    assert png.mimetype == "image/png"
    assert png.headers["Cache-Control"] == "no-store"
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    uri = parse_otpauth_uri(found.text)
    assert uri.key == pending_key(enrolling)
    assert (uri.issuer, uri.account) == ("Example Bank", ANA[0])
    shown = page_text(enrolling.get("/settings/authenticator"))
    assert b32encode(uri.key) in shown.replace(" ", "")


def test_confirming_a_code_lifts_to_tier_2(
    enrolling: Visitor, tfa_mock: TfaMock
) -> None:
    key = pending_key(enrolling)
    code = code_at(key, tfa_mock.clock.now())
    page = enrolling.submit(
        "/settings/authenticator", to="/settings/authenticator/confirm", code=code
    )
    assert "Authenticator app set up: your account is at tier 2" in page_text(page)
    account = enrolling.account()
    assert (account.tier, account.totp_key, account.totp_pending) == (2, key, None)
    page = enrolling.submit("/account", to="/transfer", amount="5000", payee="Bob")
    assert "Amount 5,000.00 EUR Payee Bob" in page_text(page)  # step-up, not capped


def test_a_wrong_confirmation_code_changes_nothing(
    enrolling: Visitor, tfa_mock: TfaMock
) -> None:
    code = code_at(pending_key(enrolling), tfa_mock.clock.now())
    wrong = other_code(code)
    page = enrolling.submit(
        "/settings/authenticator", to="/settings/authenticator/confirm", code=wrong
    )
    assert page.status_code == 400
    assert "That code is wrong." in page_text(page)
    assert enrolling.account().tier == 1


@pytest.fixture
def enrolled(enrolling: Visitor, tfa_mock: TfaMock) -> bytes:
    """Ana enrolled, logged out and back at the code step; her key."""
    key = pending_key(enrolling)
    code = code_at(key, tfa_mock.clock.now())
    enrolling.submit(
        "/settings/authenticator", to="/settings/authenticator/confirm", code=code
    )
    enrolling.submit("/account", to="/logout")
    enrolling.log_in()
    return key


def test_the_authenticator_code_logs_in_once(
    enrolling: Visitor, enrolled: bytes, tfa_mock: TfaMock
) -> None:
    # The code of the step used to confirm is spent already.
    code = code_at(enrolled, tfa_mock.clock.now())
    page = enrolling.submit("/login/code", action="authenticator", code=code)
    assert "That code was used already." in page_text(page)
    tfa_mock.clock.advance(30)
    code = code_at(enrolled, tfa_mock.clock.now())
    page = enrolling.submit("/login/code", action="authenticator", code=code)
    assert "Logged in with two factors." in page_text(page)
    enrolling.submit("/account", to="/logout")
    enrolling.log_in()
    page = enrolling.submit("/login/code", action="authenticator", code=code)
    assert page.status_code == 400
    assert "That code was used already." in page_text(page)  # a replay
    assert enrolling.client.get("/account").status_code == 302


def test_guesses_are_throttled(
    enrolling: Visitor, enrolled: bytes, tfa_mock: TfaMock
) -> None:
    tfa_mock.clock.advance(30)
    right = code_at(enrolled, tfa_mock.clock.now())
    wrong = other_code(right)
    for _ in range(4):  # with the confirmation, 5 attempts in 300 s
        page = enrolling.submit("/login/code", action="authenticator", code=wrong)
        assert "That code is wrong." in page_text(page)
    page = enrolling.submit("/login/code", action="authenticator", code=right)
    assert "Too many attempts: try again in" in page_text(page)
    assert enrolling.client.get("/account").status_code == 302
    tfa_mock.clock.advance(300)
    right = code_at(enrolled, tfa_mock.clock.now())
    page = enrolling.submit("/login/code", action="authenticator", code=right)
    assert "Logged in with two factors." in page_text(page)
