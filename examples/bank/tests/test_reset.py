"""Use case 4: a password reset proven by a code sent to the phone on file; a wrong
or expired code changes nothing."""

from __future__ import annotations

import pytest

from tfa_mock.pytest_plugin import TfaMock

from .conftest import ANA, PASSWORD, Visitor, other_code, page_text

NEW = "a brand new passphrase"


@pytest.fixture
def ana(visitor: Visitor) -> Visitor:
    visitor.sign_up(ANA)
    visitor.submit("/account", to="/logout")
    return visitor


def ask_for_code(visitor: Visitor, email: str = ANA[0]) -> str:
    page = visitor.submit("/reset", email=email)
    return page_text(page)


def can_log_in(visitor: Visitor, password: str) -> bool:
    return "Second step: a code" in page_text(visitor.log_in(password=password))


def test_the_code_sent_to_the_phone_resets_the_password(
    ana: Visitor, tfa_mock: TfaMock
) -> None:
    text = ask_for_code(ana)
    assert "we texted a code to the phone number on file" in text
    code = tfa_mock.code_for(ANA[2])
    page = ana.submit("/reset/code", code=code, password=NEW)
    assert "Password changed. Log in with the new one." in page_text(page)
    assert can_log_in(ana, NEW)
    assert not can_log_in(ana, PASSWORD)
    tfa_id = ana.account().tfa_id
    assert tfa_id is not None
    assert [a["type"] for a in tfa_mock.user(tfa_id).activities] == ["password_reset"]


def test_a_wrong_code_changes_nothing(ana: Visitor, tfa_mock: TfaMock) -> None:
    ask_for_code(ana)
    code = tfa_mock.code_for(ANA[2])
    wrong = other_code(code)
    page = ana.submit("/reset/code", code=wrong, password=NEW)
    assert page.status_code == 400
    assert "That code is wrong. Check the message and try again." in page_text(page)
    assert "Your password was not changed." in page_text(page)
    assert can_log_in(ana, PASSWORD)
    assert not can_log_in(ana, NEW)


def test_an_expired_code_changes_nothing(ana: Visitor, tfa_mock: TfaMock) -> None:
    ask_for_code(ana)
    code = tfa_mock.code_for(ANA[2])
    tfa_mock.clock.advance(601)
    page = ana.submit("/reset/code", code=code, password=NEW)
    assert "No code is waiting for this number: it expired" in page_text(page)
    assert "Your password was not changed." in page_text(page)
    assert can_log_in(ana, PASSWORD)


def test_an_unknown_e_mail_gets_the_same_answer_and_no_code(
    ana: Visitor, tfa_mock: TfaMock
) -> None:
    known = ask_for_code(ana)
    before = len(tfa_mock.inbox)
    assert ask_for_code(ana, "nobody@example.com") == known
    assert len(tfa_mock.inbox) == before
    page = ana.submit("/reset/code", code="1234", password=NEW)
    assert "Your password was not changed." in page_text(page)
