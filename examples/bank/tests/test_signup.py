"""Use cases 5 and 6: sign-up verifies a mobile phone, one account per number,
sign-ups rate limited per address; tier 0 until the phone is verified."""

from __future__ import annotations

from tfa_mock.pytest_plugin import TfaMock

from .conftest import ANA, BOB, Visitor, new_visitor, other_code, page_text


def test_sign_up_verifies_the_phone_and_lifts_to_tier_1(
    visitor: Visitor, tfa_mock: TfaMock
) -> None:
    page = visitor.sign_up(verify=False)
    assert "Enter the code we sent to +1 201-555-0123" in page_text(page)
    assert visitor.account().tier == 0
    assert visitor.account().tfa_id is None
    page = visitor.submit(
        "/verify-phone", action="check", code=tfa_mock.code_for(ANA[2])
    )
    assert "Phone verified: your account is now at tier 1" in page_text(page)
    account = visitor.account()
    assert account.tier == 1
    assert account.tfa_id is not None
    assert tfa_mock.user(account.tfa_id).phone == ANA[2]


def test_a_wrong_verification_code_keeps_tier_0(
    visitor: Visitor, tfa_mock: TfaMock
) -> None:
    visitor.sign_up(verify=False)
    right = tfa_mock.code_for(ANA[2])
    wrong = other_code(right)
    page = visitor.submit("/verify-phone", action="check", code=wrong)
    assert page.status_code == 400
    assert "That code is wrong" in page_text(page)
    assert visitor.account().tier == 0


def test_an_expired_verification_code_keeps_tier_0(
    visitor: Visitor, tfa_mock: TfaMock
) -> None:
    visitor.sign_up(verify=False)
    code = tfa_mock.code_for(ANA[2])
    tfa_mock.clock.advance(601)
    page = visitor.submit("/verify-phone", action="check", code=code)
    assert "No code is waiting for this number: it expired" in page_text(page)
    assert visitor.account().tier == 0
    # A new code works.
    visitor.submit("/verify-phone", action="sms")
    page = visitor.submit(
        "/verify-phone", action="check", code=tfa_mock.code_for(ANA[2])
    )
    assert visitor.account().tier == 1


def test_a_phone_verified_by_another_account_is_refused(
    visitor: Visitor, tfa_mock: TfaMock
) -> None:
    visitor.sign_up(ANA)
    other = new_visitor(visitor)
    page = other.sign_up(("bob@example.com", "(201) 555-0123", ANA[2]), verify=False)
    assert page.status_code == 400
    assert "already belongs to another Example Bank account" in page_text(page)
    assert other.db.account_by_email(BOB[0]) is None


def test_of_two_unverified_claims_the_first_to_verify_wins(
    visitor: Visitor, tfa_mock: TfaMock
) -> None:
    visitor.sign_up(ANA, verify=False)
    other = new_visitor(visitor)
    other.sign_up(("bob@example.com", ANA[1], ANA[2]), verify=False)
    code = tfa_mock.code_for(ANA[2])  # a start while pending re-sends the same code
    other.submit("/verify-phone", action="check", code=code)
    assert other.account(BOB[0]).tier == 1
    visitor.submit("/verify-phone", action="sms")
    page = visitor.submit(
        "/verify-phone", action="check", code=tfa_mock.code_for(ANA[2])
    )
    assert "already belongs to another Example Bank account" in page_text(page)
    assert visitor.account().tier == 0


def test_a_landline_is_refused(visitor: Visitor, tfa_mock: TfaMock) -> None:
    page = visitor.sign_up(("lee@example.com", "20 7946 0018", ""), country_code="44")
    assert page.status_code == 400
    assert "+44 20 7946 0018 is a landline" in page_text(page)
    assert visitor.db.account_by_email("lee@example.com") is None
    assert len(tfa_mock.inbox) == 0


def test_a_voip_number_is_refused(visitor: Visitor, tfa_mock: TfaMock) -> None:
    page = visitor.sign_up(("lee@example.com", "56 1234 5678", ""), country_code="44")
    assert "+44 56 1234 5678 is a VoIP number" in page_text(page)
    assert visitor.db.account_by_email("lee@example.com") is None


def test_a_mobile_abroad_signs_up(visitor: Visitor, tfa_mock: TfaMock) -> None:
    visitor.sign_up(
        ("lee@example.com", "7400 123456", "+447400123456"), country_code="44"
    )
    assert visitor.account("lee@example.com").tier == 1


def test_sign_ups_are_rate_limited_per_address(
    visitor: Visitor, tfa_mock: TfaMock
) -> None:
    for n in range(5):  # refused attempts count too
        page = visitor.submit("/signup", email=f"x{n}", password="short")
        assert "Enter a valid e-mail address" in page_text(page)
    page = visitor.sign_up(ANA)
    assert page.status_code == 400
    assert "Too many sign-up attempts from your address. Try again in 60 minutes." in (
        page_text(page)
    )
    assert visitor.db.account_by_email(ANA[0]) is None
    # Another address is not held up.
    other = new_visitor(visitor)
    other.client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    other.sign_up(BOB)
    assert other.account(BOB[0]).tier == 1
    tfa_mock.clock.advance(3600)  # the window slides past the first attempts
    visitor.sign_up(ANA)
    assert visitor.account().tier == 1


def test_the_same_e_mail_twice_is_refused(visitor: Visitor) -> None:
    visitor.sign_up(ANA)
    page = new_visitor(visitor).sign_up((ANA[0], BOB[1], BOB[2]), verify=False)
    assert "An account with this e-mail exists" in page_text(page)


def test_a_form_without_its_token_is_refused(visitor: Visitor) -> None:
    page = visitor.client.post("/signup", data={"email": ANA[0]})
    assert page.status_code == 400
    assert "did not come from this site" in page_text(page)
