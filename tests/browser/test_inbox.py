"""The web inbox in the system Chromium: live messages, approvals with their
callbacks, the TOTP it shows, the clock buttons, escaping, a phone-sized screen and
the control token. Every wait is Playwright's auto-waiting ``expect``; no sleeps."""

from __future__ import annotations

import hmac
import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Mock, Receiver
from tests.mock.conftest import API_KEY, NOW
from tests.support.browser import expect_image_loaded
from tfa_core import otp, signature
from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer

pytestmark = pytest.mark.browser

LIVE = 1000  # ms: "within a second" of the API call


def open_inbox(page: Page, mock: Mock, query: str = "") -> None:
    """Open the page and wait until its event stream is connected."""
    page.goto(mock.url + "/" + query)
    expect(page.locator("#live")).to_have_text("live", timeout=5000)
    # A marker that a reload would lose: every check below happens without one.
    page.evaluate("window.__sameDocument = true")


def same_document(page: Page) -> bool:
    return bool(page.evaluate("window.__sameDocument === true"))


def shot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 0


def test_sms_appears_without_reload(page: Page, mock: Mock, tmp_path: Path) -> None:
    user_id = mock.register()
    open_inbox(page, mock)
    mock.ok("GET", f"/protected/json/sms/{user_id}?force=true")
    sent = mock.ok("GET", "/_mock/inbox/latest?channel=sms")
    newest = page.locator("#messages .message").first
    expect(newest.locator(".code")).to_have_text(sent["code"], timeout=LIVE)
    expect(newest.locator(".body")).to_have_text(sent["body"])
    expect(newest.locator(".to")).to_have_text("+12015550123")
    assert same_document(page)
    shot(page, tmp_path, "sms")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    newest.get_by_role("button", name="Copy").click()
    expect(newest.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert hmac.compare_digest(copied, sent["code"])


def test_approve_reads_approved_and_delivers_callback(
    page: Page, mock: Mock, receiver: Receiver, tmp_path: Path
) -> None:
    mock.ok("PATCH", "/_mock/apps/1", {"callback_url": receiver.url})
    user_id = mock.register()
    mock.ok("POST", f"/_mock/users/{user_id}/devices", {"kind": "android"})
    open_inbox(page, mock)
    created = mock.ok(
        "POST",
        f"/onetouch/json/users/{user_id}/approval_requests",
        {"message": "Login requested", "details": {"Account Number": "981266321"}},
    )
    uuid = created["approval_request"]["uuid"]
    card = page.locator(
        f'.phone[data-user-id="{user_id}"] .approval[data-uuid="{uuid}"]'
    )
    expect(card.locator(".approval-message")).to_have_text(
        "Login requested", timeout=LIVE
    )
    expect(card.locator("dt")).to_have_text(["Account Number"])
    expect(card.locator("dd")).to_have_text(["981266321"])
    shot(page, tmp_path, "pending")

    card.get_by_role("button", name="Approve").click()
    expect(card).to_have_count(0, timeout=LIVE)  # no longer pending
    document = mock.ok("GET", f"/onetouch/json/approval_requests/{uuid}")
    assert document["approval_request"]["status"] == "approved"

    callback = receiver.next()
    assert callback.method == "POST"
    assert json.loads(callback.body)["status"] == "approved"
    assert signature.verify(
        API_KEY, callback.headers, "POST", receiver.url, callback.body
    )
    assert receiver.received.empty()
    delivery = page.locator("#deliveries .delivery").first
    expect(delivery).to_have_attribute("data-status", "delivered", timeout=LIVE)
    assert same_document(page)
    shot(page, tmp_path, "approved")


def test_deny_and_redeliver(
    page: Page, mock: Mock, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.statuses = [500]  # the first attempt fails; the retry waits on the clock
    mock.ok("PATCH", "/_mock/apps/1", {"callback_url": receiver.url})
    user_id = mock.register()
    uuid = mock.ok(
        "POST",
        f"/onetouch/json/users/{user_id}/approval_requests",
        {"message": "Pay 10 EUR"},
    )["approval_request"]["uuid"]
    open_inbox(page, mock)
    page.locator(f'.approval[data-uuid="{uuid}"]').get_by_role(
        "button", name="Deny"
    ).click()
    delivery = page.locator("#deliveries .delivery").first
    expect(delivery.locator(".attempts")).to_contain_text(
        "1 attempt, last answer 500", timeout=LIVE
    )
    expect(delivery).to_have_attribute("data-status", "pending")
    status = mock.ok("GET", f"/onetouch/json/approval_requests/{uuid}")
    assert status["approval_request"]["status"] == "denied"

    delivery.get_by_role("button", name="Redeliver").click()
    expect(delivery).to_have_attribute("data-status", "delivered", timeout=LIVE)
    received = [receiver.next(), receiver.next()]
    assert [json.loads(r.body)["status"] for r in received] == ["denied", "denied"]
    assert all(
        signature.verify(API_KEY, r.headers, "POST", receiver.url, r.body)
        for r in received
    )
    shot(page, tmp_path, "redelivered")


def test_shown_totp_verifies(page: Page, mock: Mock, tmp_path: Path) -> None:
    user_id = mock.register()
    mock.ok("POST", f"/_mock/users/{user_id}/devices", {"kind": "iphone"})
    mock.ok("POST", f"/protected/json/users/{user_id}/secret")
    open_inbox(page, mock)
    card = page.locator(f'.phone[data-user-id="{user_id}"]')
    expect(card.locator(".device")).to_have_text("Device: iphone #100000")
    expect_image_loaded(card.locator("img.qr"))
    # The clock is frozen: the countdown stands where the mock says it is.
    totp = mock.ok("GET", f"/_mock/users/{user_id}/totp")
    expect(card.locator(".totp-device .seconds")).to_have_text(
        f"{totp['seconds_left']} s"
    )
    shown = card.locator(".totp-device .code").inner_text()
    assert hmac.compare_digest(shown, totp["code"])
    assert mock.ok("GET", f"/protected/json/verify/{shown}/{user_id}")["success"]
    generic = card.locator(".totp-generic .code").inner_text()
    assert len(generic) == 6
    mock.ok("POST", "/_mock/clock", {"advance": 60})  # a step the verify did not use
    fresh = card.locator(".totp-generic .code")
    expect(fresh).not_to_have_text(generic, timeout=LIVE)
    assert mock.ok("GET", f"/protected/json/verify/{fresh.inner_text()}/{user_id}")[
        "success"
    ]
    shot(page, tmp_path, "totp")


def test_code_rolls_over_on_the_running_clock(
    page: Page, mock: Mock, tmp_path: Path
) -> None:
    user_id = mock.register()
    secret = mock.ok("GET", f"/_mock/users/{user_id}")["secret"]
    mock.ok("POST", "/_mock/clock", {"set": NOW + 9})  # 1 s before a 10 s step ends
    open_inbox(page, mock)
    code = page.locator(f'.phone[data-user-id="{user_id}"] .totp-device .code')
    before = otp.totp(otp.b32decode(secret), now=NOW + 9, step=10, digits=7)
    after = otp.totp(otp.b32decode(secret), now=NOW + 10, step=10, digits=7)
    expect(code).to_have_text(before)
    mock.ok("POST", "/_mock/clock", {"unfreeze": True})
    # Nothing changes on the server when a running clock crosses the step: the
    # page's own countdown notices and fetches the new code.
    expect(code).to_have_text(after, timeout=4000)
    shot(page, tmp_path, "rolled")


def test_clock_buttons(page: Page, mock: Mock, tmp_path: Path) -> None:
    open_inbox(page, mock)
    expect(page.locator("#clock-time")).to_have_text("2023-11-14 22:13:20 UTC")
    expect(page.locator("#clock-state")).to_have_text("frozen")

    page.get_by_role("button", name="+30 s").click()
    expect(page.locator("#clock-time")).to_have_text(
        "2023-11-14 22:13:50 UTC", timeout=LIVE
    )
    assert mock.ok("GET", "/_mock/clock") == {"now": NOW + 30, "frozen": True}
    page.get_by_role("button", name="+5 min").click()
    expect(page.locator("#clock-time")).to_have_text(
        "2023-11-14 22:18:50 UTC", timeout=LIVE
    )
    assert mock.ok("GET", "/_mock/clock")["now"] == NOW + 330

    page.get_by_role("button", name="Unfreeze").click()
    expect(page.locator("#clock-state")).to_have_text("running", timeout=LIVE)
    assert mock.ok("GET", "/_mock/clock")["frozen"] is False
    page.get_by_role("button", name="Freeze").click()
    expect(page.locator("#clock-state")).to_have_text("frozen", timeout=LIVE)
    assert mock.ok("GET", "/_mock/clock")["frozen"] is True
    shot(page, tmp_path, "clock")


def test_data_is_shown_as_text(page: Page, mock: Mock, tmp_path: Path) -> None:
    hostile = "<img src=x onerror=\"document.title='pwned'\">"
    user_id = mock.register(email="<b>ana</b>@example.com")
    mock.ok(
        "POST",
        f"/onetouch/json/users/{user_id}/approval_requests",
        {"message": hostile, "details": {hostile: "<script>alert(1)</script>"}},
    )
    mock.ok("PATCH", "/_mock/apps/1", {"name": hostile})
    mock.ok("GET", f"/protected/json/sms/{user_id}?force=true")
    mock.ok(
        "POST", "/_mock/faults", {"endpoint": "sms", "message": hostile, "status": 500}
    )
    open_inbox(page, mock)
    expect(page.locator("#messages .message .body").first).to_contain_text(hostile)
    card = page.locator(f'.phone[data-user-id="{user_id}"]')
    expect(card.locator(".email")).to_have_text("<b>ana</b>@example.com")
    expect(card.locator(".approval-message")).to_have_text(hostile)
    expect(card.locator("dt")).to_have_text([hostile])
    expect(card.locator("dd")).to_have_text(["<script>alert(1)</script>"])
    expect(page.locator("#faults .fault")).to_contain_text(hostile)
    assert page.locator("main img:not(.qr), main b, main script").count() == 0
    assert page.title() == "tfa mock inbox"
    shot(page, tmp_path, "escaped")


def test_phone_sized_screen(browser: Browser, mock: Mock, tmp_path: Path) -> None:
    user_id = mock.register()
    mock.ok("GET", f"/protected/json/sms/{user_id}?force=true")
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        open_inbox(page, mock)
        expect(page.locator("#messages .message")).to_have_count(2)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375  # nothing wider than the screen
        boxes = [
            page.locator(f"#{name}-section").bounding_box()
            for name in ("messages", "phones", "deliveries")
        ]
        assert all(box is not None for box in boxes)
        xs = {round(box["x"]) for box in boxes if box is not None}
        assert len(xs) == 1  # one column
        shot(page, tmp_path, "phone")
    finally:
        context.close()


def test_control_token(browser: Browser, tmp_path: Path) -> None:
    token = "s3cret-token"
    server = MockServer(
        MockConfig(port=0, seed=7, api_key=API_KEY, control_token=token)
    )
    server.backend.clock.freeze()
    server.backend.clock.set(NOW)
    with server:
        mock = Mock(server, control_token=token)
        context = browser.new_context()
        try:
            page = context.new_page()
            response = page.goto(mock.url + "/")
            assert response is not None and response.status == 401
            open_inbox(page, mock, f"?control_token={token}")
            user_id = mock.register()
            mock.ok("GET", f"/protected/json/sms/{user_id}?force=true")
            sent = mock.ok("GET", "/_mock/inbox/latest")
            expect(page.locator("#messages .message .code").first).to_have_text(
                sent["code"], timeout=LIVE
            )
            page.get_by_role("button", name="+30 s").click()
            expect(page.locator("#clock-time")).to_have_text(
                "2023-11-14 22:13:50 UTC", timeout=LIVE
            )
            shot(page, tmp_path, "token")
        finally:
            context.close()
