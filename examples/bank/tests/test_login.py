"""Use case 1: a password, then a code by SMS, by voice or from the tfa app; and
every refusal a person can meet there."""

from __future__ import annotations

import pytest

from tfa_mock.pytest_plugin import TfaMock

from .conftest import ANA, Visitor, other_code, page_text


@pytest.fixture
def ana(visitor: Visitor) -> Visitor:
    """Ana has an account with a verified phone and is logged out."""
    visitor.sign_up(ANA)
    visitor.submit("/account", to="/logout")
    return visitor


def logged_in(visitor: Visitor) -> bool:
    return visitor.client.get("/account").status_code == 200


def code_sent(visitor: Visitor, tfa_mock: TfaMock) -> str:
    """Log in with the password and have a code texted; the code."""
    visitor.log_in()
    visitor.submit("/login/code", action="sms")
    return tfa_mock.code_for(ANA[2])


def test_password_then_sms_code(ana: Visitor, tfa_mock: TfaMock) -> None:
    page = ana.log_in()
    assert "Second step: a code" in page_text(page)
    assert not logged_in(ana)  # the password alone is not enough
    page = ana.submit("/login/code", action="sms")
    assert "We texted a code to +1-XXX-XXX-XX23" in page_text(page)
    code = tfa_mock.code_for(ANA[2], channel="sms")
    page = ana.submit("/login/code", action="token", code=code)
    assert "Logged in with two factors." in page_text(page)
    assert logged_in(ana)


def test_password_then_voice_code(ana: Visitor, tfa_mock: TfaMock) -> None:
    ana.log_in()
    page = ana.submit("/login/code", action="call")
    assert "Calling +1-XXX-XXX-XX23 to say your code." in page_text(page)
    code = tfa_mock.code_for(ANA[2], channel="voice")
    ana.submit("/login/code", action="token", code=code)
    assert logged_in(ana)


def test_password_then_tfa_app_code(ana: Visitor, tfa_mock: TfaMock) -> None:
    tfa_id = ana.account().tfa_id
    assert tfa_id is not None
    tfa_mock.install_device(tfa_id, "iphone")
    ana.log_in()
    page = ana.submit("/login/code", action="token", code=tfa_mock.totp(tfa_id))
    assert "Logged in with two factors." in page_text(page)
    assert len(tfa_mock.inbox.messages(channel="voice")) == 0


def test_a_wrong_password_is_refused(ana: Visitor) -> None:
    page = ana.log_in(password="wrong password")
    assert page.status_code == 400
    assert "Wrong e-mail or password." in page_text(page)
    assert ana.client.get("/login/code").status_code == 302  # no second step


def test_password_guesses_are_throttled(ana: Visitor) -> None:
    for _ in range(10):  # per e-mail, whatever the address: 10 in 15 minutes
        assert "Wrong e-mail or password." in page_text(ana.log_in(password="guess"))
    page = ana.log_in()
    assert page.status_code == 429
    assert "Too many log-in attempts: try again in 900 s." in page_text(page)
    ana.tfa_mock.clock.advance(900)
    assert "Second step: a code" in page_text(ana.log_in())


def test_a_wrong_code_is_refused(ana: Visitor, tfa_mock: TfaMock) -> None:
    wrong = other_code(code_sent(ana, tfa_mock))
    page = ana.submit("/login/code", action="token", code=wrong)
    assert page.status_code == 400
    assert "That code is wrong or has expired." in page_text(page)
    assert not logged_in(ana)


def test_an_expired_code_is_refused(ana: Visitor, tfa_mock: TfaMock) -> None:
    code = code_sent(ana, tfa_mock)
    tfa_mock.clock.advance(601)
    page = ana.submit("/login/code", action="token", code=code)
    assert "That code is wrong or has expired." in page_text(page)
    assert not logged_in(ana)


def test_a_used_code_is_refused(ana: Visitor, tfa_mock: TfaMock) -> None:
    code = code_sent(ana, tfa_mock)
    ana.submit("/login/code", action="token", code=code)
    assert logged_in(ana)
    ana.submit("/account", to="/logout")
    ana.log_in()
    page = ana.submit("/login/code", action="token", code=code)
    assert "That code was used already." in page_text(page)
    assert not logged_in(ana)


def test_too_many_codes_sent_is_throttled(ana: Visitor, tfa_mock: TfaMock) -> None:
    ana.log_in()
    for _ in range(5):
        ana.submit("/login/code", action="sms")
    page = ana.submit("/login/code", action="sms")
    assert "Too many codes sent: try again in 600 s." in page_text(page)
    tokens = [m for m in tfa_mock.inbox.messages(channel="sms") if m.purpose == "token"]
    assert len(tokens) == 5


def test_too_many_wrong_codes_is_throttled(ana: Visitor, tfa_mock: TfaMock) -> None:
    code = code_sent(ana, tfa_mock)
    for _ in range(10):
        ana.submit("/login/code", action="token", code=other_code(code))
    page = ana.submit("/login/code", action="token", code=code)
    assert "Too many wrong codes: try again in" in page_text(page)
    assert not logged_in(ana)


def test_tier_0_logs_in_with_the_password_alone(
    visitor: Visitor, tfa_mock: TfaMock
) -> None:
    visitor.sign_up(ANA, verify=False)
    visitor.submit("/account", to="/logout")
    page = visitor.log_in()
    assert "Logged in. Verify your phone to send money." in page_text(page)


def test_the_tfa_service_down_says_so(ana: Visitor, tfa_mock: TfaMock) -> None:
    ana.log_in()
    tfa_mock.fail_next("sms", status=503, error_code="60007", message="SMS is down")
    page = ana.submit("/login/code", action="sms")
    assert page.status_code == 502
    assert "The verification service refused: SMS is down" in page_text(page)
