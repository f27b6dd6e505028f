"""Flows 1, 2, 3 and 7 clicked through in the system Chromium, as a person would:
one page on the bank, a second on the mock's web inbox to read codes and approve
pushes. Every wait is Playwright's ``expect`` on what the person would see; the
time is moved on the mock's clock. Each test saves ``end.png`` in its tmp_path."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import expect_image_loaded
from tfa_mock.pytest_plugin import TfaMock

from .conftest import ANA, PASSWORD, Served, Visitor, other_code

pytestmark = pytest.mark.browser

# A page answered 4xx (a refused form) is logged so; it is no script error.
_REFUSAL = "Failed to load resource: the server responded with a status of 4"
WAIT = 10_000  # ms: a deadline for what another thread does, not a timing


@pytest.fixture
def pages(
    browser: Browser, served: Served, tfa_mock: TfaMock, tmp_path: Path
) -> Iterator[tuple[Page, Page]]:
    """The bank's page and the web inbox's page, each in its own context; fails on
    any script error (CSP violations included; a refusal page's 4xx status is not
    one); saves both pages at the end."""
    problems: list[str] = []
    contexts = [
        browser.new_context(viewport={"width": 1000, "height": 800}) for _ in "ab"
    ]
    bank, inbox = (context.new_page() for context in contexts)
    for page in (bank, inbox):
        page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
        page.on(
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and not m.text.startswith(_REFUSAL)
                else None
            ),
        )
    # A loaded two-core machine may take seconds to render a page: every expect
    # here waits up to WAIT for what it asserts (back to Playwright's 5 s after).
    expect.set_options(timeout=WAIT)
    inbox.goto(tfa_mock.url + "/")
    expect(inbox.locator("#live")).to_have_text("live")
    try:
        yield bank, inbox
        bank.screenshot(path=tmp_path / "end.png", full_page=True)
        inbox.screenshot(path=tmp_path / "inbox.png", full_page=True)
    finally:
        expect.set_options(timeout=5_000)
        for context in contexts:
            context.close()
    assert not problems, problems


def newest_code(inbox: Page, messages: int) -> str:
    """The code of the newest message, once the inbox shows *messages* of them."""
    shown = inbox.locator("#messages .message")
    expect(shown).to_have_count(messages)
    return shown.first.locator(".code").inner_text()


def log_out_and_in(bank: Page) -> None:
    """Log out, then give the e-mail and the password again."""
    bank.get_by_role("button", name="Log out").click()
    bank.get_by_label("E-mail").fill(ANA[0])
    bank.get_by_label("Password").fill(PASSWORD)
    bank.get_by_role("button", name="Log in").click()


def logged_in_visitor(served: Served, tfa_mock: TfaMock, page: Page) -> Visitor:
    """Ana signed up (tier 1) and her session cookie handed to *page*'s browser."""
    visitor = Visitor(served.app, served.app.test_client(), tfa_mock)
    visitor.sign_up(ANA)
    cookie = visitor.client.get_cookie("session")
    assert cookie is not None
    page.context.add_cookies(
        [{"name": "session", "value": cookie.value, "url": served.url}]
    )
    return visitor


def test_flow_1_sign_up_then_password_and_sms_code(
    pages: tuple[Page, Page],
    served: Served,
    tfa_mock: TfaMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    bank, inbox = pages
    bank.goto(served.url + "/")
    bank.get_by_role("link", name="Sign up").click()
    bank.get_by_label("E-mail").fill(ANA[0])
    bank.get_by_label("Password").fill(PASSWORD)
    bank.get_by_label("Mobile number").fill(ANA[1])
    bank.get_by_role("button", name="Sign up").click()
    expect(bank.get_by_role("heading")).to_have_text("Verify your phone")
    signup_code = newest_code(inbox, 1)
    bank.get_by_label("Verification code").fill(signup_code)
    bank.get_by_role("button", name="Verify phone").click()
    expect(bank.get_by_role("status")).to_contain_text("Phone verified")
    expect(bank.locator("#tier")).to_have_text("1")

    log_out_and_in(bank)
    expect(bank.get_by_role("heading")).to_have_text("Second step: a code")
    bank.get_by_role("button", name="Text me a code").click()
    expect(bank.get_by_role("status")).to_have_text(
        "We texted a code to +1-XXX-XXX-XX23."
    )
    code = newest_code(inbox, 3)  # verification, install link, this code
    field = bank.get_by_label("Code from the SMS, the call or the tfa app")
    field.fill(other_code(code))
    bank.get_by_role("button", name="Log in", exact=True).click()
    expect(bank.get_by_role("alert")).to_have_text("That code is wrong or has expired.")
    field.fill(code)
    bank.get_by_role("button", name="Log in", exact=True).click()
    expect(bank.get_by_role("status")).to_have_text("Logged in with two factors.")
    expect(bank.get_by_role("heading", name="Your account")).to_be_visible()

    logged = caplog.text
    assert "POST /login/code" in logged  # the bank's request log was captured
    for secret in (signup_code, code, PASSWORD):
        assert secret not in logged


def test_flow_2_passwordless_log_in_moves_on_by_itself(
    pages: tuple[Page, Page], served: Served, tfa_mock: TfaMock
) -> None:
    bank, inbox = pages
    visitor = Visitor(served.app, served.app.test_client(), tfa_mock)
    visitor.sign_up(ANA)
    tfa_id = visitor.account().tfa_id
    bank.goto(served.url + "/login")
    bank.get_by_role("link", name="Log in without a password").click()
    bank.get_by_label("E-mail").fill(ANA[0])
    bank.get_by_role("button", name="Send the request to my phone").click()
    expect(bank.locator("#push-state")).to_have_text("Waiting for your answer…")

    card = inbox.locator(f'.phone[data-user-id="{tfa_id}"] .approval')
    expect(card.locator(".approval-message")).to_have_text("Log in to Example Bank")
    expect(card.locator("dt")).to_have_text(["Browser", "IP", "Time"])
    details = card.locator("dd")
    expect(details.nth(0)).to_contain_text("HeadlessChrome")
    expect(details.nth(1)).to_have_text("127.0.0.1")
    expect(details.nth(2)).to_have_text("2023-11-14 22:13:20 UTC")
    card.get_by_role("button", name="Approve").click()

    # No click on the bank's page: it notices the answer and moves on.
    expect(bank.get_by_role("status")).to_have_text(
        "Logged in: you approved the request on your phone."
    )
    expect(bank).to_have_url(served.url + "/account")
    push = visitor.db.push(card_uuid := str(tfa_mock.approval_requests()[0]["uuid"]))
    assert push is not None, card_uuid
    assert push.learned_by == "callback"


def test_flow_3_step_up_transfer_approved_and_denied(
    pages: tuple[Page, Page], served: Served, tfa_mock: TfaMock
) -> None:
    bank, inbox = pages
    visitor = logged_in_visitor(served, tfa_mock, bank)
    tfa_id = visitor.account().tfa_id
    bank.goto(served.url + "/account")

    def send(amount: str, payee: str) -> None:
        bank.get_by_label("Payee").fill(payee)
        bank.get_by_label("Amount (EUR)").fill(amount)
        bank.get_by_role("button", name="Send money").click()
        expect(bank.locator(".details .amount")).to_have_text(f"{amount} EUR")
        expect(bank.locator(".details .payee")).to_have_text(payee)

    send("750.00", "Bob Smith")
    card = inbox.locator(f'.phone[data-user-id="{tfa_id}"] .approval')
    expect(card.locator(".approval-message")).to_have_text(
        "Approve a transfer of 750.00 EUR to Bob Smith"
    )
    expect(card.locator("dd")).to_have_text(["750.00 EUR", "Bob Smith", ANA[0]])
    card.get_by_role("button", name="Approve").click()
    expect(bank.get_by_role("status")).to_have_text(
        "Transfer of 750.00 EUR to Bob Smith made: you approved it on your phone."
    )
    expect(bank.locator("#balance")).to_have_text("24,250.00 EUR")

    send("800.00", "Mallory")
    expect(card.locator(".approval-message")).to_have_text(
        "Approve a transfer of 800.00 EUR to Mallory"
    )
    card.get_by_role("button", name="Deny").click()
    expect(bank.get_by_role("alert")).to_have_text(
        "Transfer of 800.00 EUR to Mallory not made: you denied it on your phone."
    )
    expect(bank.locator("#balance")).to_have_text("24,250.00 EUR")
    expect(bank.locator("#transfers tbody tr")).to_have_count(1)


def test_flow_7_authenticator_from_the_qr_code_logs_in(
    pages: tuple[Page, Page], served: Served, tfa_mock: TfaMock, tmp_path: Path
) -> None:
    bank, _ = pages
    logged_in_visitor(served, tfa_mock, bank)
    bank.goto(served.url + "/account")
    bank.get_by_role("link", name="Settings").click()
    bank.get_by_role("button", name="Set up an authenticator app").click()
    qr = bank.get_by_role("img", name="QR code of your authenticator key")
    expect_image_loaded(qr)
    shot = tmp_path / "qr.png"
    qr.screenshot(path=shot)  # the pixels the page shows
    (found,) = zxingcpp.read_barcodes(Image.open(shot))
    app = pyotp.parse_uri(found.text)
    assert isinstance(app, pyotp.TOTP)
    assert (app.issuer, app.name) == ("Example Bank", ANA[0])

    field = bank.get_by_label("Then enter the 6-digit code it shows")
    field.fill(app.at(tfa_mock.clock.now()))
    bank.get_by_role("button", name="Confirm").click()
    expect(bank.get_by_role("status")).to_contain_text("your account is at tier 2")
    expect(bank.locator("#authenticator-state")).to_contain_text("Set up.")

    log_out_and_in(bank)
    code_field = bank.get_by_label("Or the code of your authenticator app")
    code_field.fill(app.at(tfa_mock.clock.now()))  # the step just used to confirm
    bank.get_by_role("button", name="Log in with the authenticator").click()
    expect(bank.get_by_role("alert")).to_contain_text("That code was used already.")
    tfa_mock.clock.advance(30)  # the app shows the next code
    code_field.fill(app.at(tfa_mock.clock.now()))
    bank.get_by_role("button", name="Log in with the authenticator").click()
    expect(bank.get_by_role("status")).to_have_text("Logged in with two factors.")
    expect(bank.locator("#tier")).to_have_text("2")
