"""Use cases 2 and 3: passwordless log-in and step-up transfers by OneTouch push,
decided by the signed callback or, failing that, by polling; use case 6's caps."""

from __future__ import annotations

import json

import pytest

from tests.client.receiver import PATH
from tests.support.receiver import closed_port_url
from tests.support.wait import wait_until
from tfa_core import signature
from tfa_mock.pytest_plugin import TfaMock

from .conftest import ANA, Served, Visitor, new_visitor, page_text


@pytest.fixture
def ana(visitor: Visitor) -> Visitor:
    visitor.sign_up(ANA)
    visitor.submit("/account", to="/logout")
    return visitor


@pytest.fixture
def ana_served(served: Served, tfa_mock: TfaMock) -> Visitor:
    """Ana on the bank served on a port (callbacks reach it), logged out."""
    visitor = Visitor(served.app, served.app.test_client(), tfa_mock)
    visitor.sign_up(ANA)
    visitor.submit("/account", to="/logout")
    return visitor


def start_push_login(visitor: Visitor, tfa_mock: TfaMock) -> str:
    page = visitor.submit("/login/push", email=ANA[0])
    assert "Waiting for your answer" in page_text(page)
    (request,) = tfa_mock.approval_requests(status="pending")
    return str(request["uuid"])


def delivered(tfa_mock: TfaMock) -> bool:
    return any(d["status"] == "delivered" for d in tfa_mock.callbacks)


def logged_in(visitor: Visitor) -> bool:
    return visitor.client.get("/account").status_code == 200


def test_passwordless_log_in_by_callback(
    ana_served: Visitor, tfa_mock: TfaMock
) -> None:
    uuid = start_push_login(ana_served, tfa_mock)
    (request,) = tfa_mock.approval_requests()
    assert request["message"] == "Log in to Example Bank"
    details = request["details"]
    assert list(details) == ["Browser", "IP", "Time"]
    assert details["Browser"].startswith("Werkzeug/")
    assert details["IP"] == "127.0.0.1"
    assert details["Time"] == "2023-11-14 22:13:20 UTC"
    status = ana_served.client.get(f"/push/{uuid}/status").get_json()
    assert status["status"] == "pending"
    tfa_mock.approve(uuid)
    wait_until(tfa_mock.backend, lambda: delivered(tfa_mock), what="the callback")
    push = ana_served.db.push(uuid)
    assert push is not None
    assert (push.status, push.learned_by) == ("approved", "callback")
    polls = [r for r in tfa_mock.requests if "approval_requests/" in r.path]
    assert polls == []  # the callback came in time: the API was never polled
    page = ana_served.get(f"/push/{uuid}")
    assert "Logged in: you approved the request on your phone." in page_text(page)
    assert logged_in(ana_served)


def test_polling_is_the_fallback_when_no_callback_comes(
    ana_served: Visitor, tfa_mock: TfaMock
) -> None:
    tfa_mock.backend.patch_app(1, {"callback_url": closed_port_url()})
    uuid = start_push_login(ana_served, tfa_mock)
    tfa_mock.approve(uuid)
    status = ana_served.client.get(f"/push/{uuid}/status").get_json()
    assert status["status"] == "pending"  # still waiting for the callback
    tfa_mock.clock.advance(5)  # poll_fallback_after
    status = ana_served.client.get(f"/push/{uuid}/status").get_json()
    assert status == {"status": "approved", "next": f"/push/{uuid}/done"}
    push = ana_served.db.push(uuid)
    assert push is not None
    assert push.learned_by == "poll"


def test_without_a_callback_url_the_bank_polls(ana: Visitor, tfa_mock: TfaMock) -> None:
    uuid = start_push_login(ana, tfa_mock)
    tfa_mock.approve(uuid)
    page = ana.get(f"/push/{uuid}")
    assert "Logged in: you approved the request on your phone." in page_text(page)


def test_a_denied_push_logs_nobody_in(ana: Visitor, tfa_mock: TfaMock) -> None:
    uuid = start_push_login(ana, tfa_mock)
    tfa_mock.deny(uuid)
    page = ana.get(f"/push/{uuid}/done")
    assert "Log-in denied on your phone: you are not logged in." in page_text(page)
    assert not logged_in(ana)


def test_an_expired_push_logs_nobody_in(ana: Visitor, tfa_mock: TfaMock) -> None:
    uuid = start_push_login(ana, tfa_mock)
    tfa_mock.clock.advance(120)
    page = ana.get(f"/push/{uuid}")
    assert "The log-in request expired unanswered" in page_text(page)
    assert not logged_in(ana)


def test_an_approved_push_logs_in_only_the_browser_that_asked(
    ana: Visitor, tfa_mock: TfaMock
) -> None:
    uuid = start_push_login(ana, tfa_mock)
    tfa_mock.approve(uuid)
    stranger = new_visitor(ana)
    assert stranger.client.get(f"/push/{uuid}/done").status_code == 404
    assert not logged_in(stranger)
    ana.get(f"/push/{uuid}/done")
    assert logged_in(ana)
    ana.submit("/account", to="/logout")
    page = ana.get(f"/push/{uuid}/done")  # the session no longer holds it
    assert page.status_code == 404


def test_unknown_e_mail_gets_no_push(ana: Visitor, tfa_mock: TfaMock) -> None:
    page = ana.submit("/login/push", email="nobody@example.com")
    assert "No account with a verified phone has this e-mail." in page_text(page)
    assert tfa_mock.approval_requests() == []


def test_a_forged_or_old_callback_is_refused(
    served: Served, ana_served: Visitor, tfa_mock: TfaMock
) -> None:
    uuid = start_push_login(ana_served, tfa_mock)
    body = json.dumps({"uuid": uuid, "status": "approved"})

    def send(key: str, nonce: str) -> int:
        """POST the callback signed with *key* and *nonce*; the bank's status."""
        canonical = signature.canonical(json.loads(body))
        headers = signature.signed_headers(
            key, nonce, "POST", served.url + PATH, canonical
        )
        client = served.app.test_client()
        answer = client.post(
            PATH, content_type="application/json", data=body, headers=headers
        )
        return answer.status_code

    def status() -> str | None:
        push = ana_served.db.push(uuid)
        return push.status if push else None

    assert send("not the key", "1700000000") == 401
    assert send(tfa_mock.api_key, "1699990000") == 401  # 10,000 s old
    assert status() == "pending"
    assert send(tfa_mock.api_key, "1700000000") == 204
    assert status() == "approved"


# -- step-up transfers (use case 3) and tier caps (use case 6) -------------------------


@pytest.fixture
def ana_in(visitor: Visitor) -> Visitor:
    """Ana, tier 1, logged in."""
    visitor.sign_up(ANA)
    return visitor


def transfer(visitor: Visitor, amount: str, payee: str = "Bob Smith") -> str:
    page = visitor.submit("/account", to="/transfer", amount=amount, payee=payee)
    return page_text(page)


def test_a_small_transfer_needs_no_push(ana_in: Visitor, tfa_mock: TfaMock) -> None:
    text = transfer(ana_in, "250")
    assert "Transfer of 250.00 EUR to Bob Smith made." in text
    assert ana_in.account().balance == 24_750_00
    assert tfa_mock.approval_requests() == []


def test_a_large_transfer_is_made_once_approved(
    ana_in: Visitor, tfa_mock: TfaMock
) -> None:
    text = transfer(ana_in, "600.50")
    assert "Amount 600.50 EUR Payee Bob Smith" in text
    (request,) = tfa_mock.approval_requests()
    assert request["message"] == "Approve a transfer of 600.50 EUR to Bob Smith"
    assert request["details"]["Amount"] == "600.50 EUR"
    assert request["details"]["Payee"] == "Bob Smith"
    assert ana_in.account().balance == 25_000_00  # not yet
    tfa_mock.approve(request["uuid"])
    page = ana_in.get(f"/push/{request['uuid']}")
    assert "Transfer of 600.50 EUR to Bob Smith made: you approved it" in (
        page_text(page)
    )
    assert ana_in.account().balance == 24_399_50


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("deny", "you denied it on your phone."),
        ("expire", "the approval request expired"),
    ],
)
def test_a_denied_or_expired_transfer_is_not_made(
    ana_in: Visitor, tfa_mock: TfaMock, answer: str, why: str
) -> None:
    transfer(ana_in, "700")
    (request,) = tfa_mock.approval_requests()
    if answer == "deny":
        tfa_mock.deny(request["uuid"])
    else:
        tfa_mock.clock.advance(120)  # push_ttl
    page = ana_in.get(f"/push/{request['uuid']}")
    assert f"Transfer of 700.00 EUR to Bob Smith not made: {why}" in page_text(page)
    assert ana_in.account().balance == 25_000_00
    assert ana_in.db.transfers(ana_in.account().id) == []


def test_over_the_tier_1_cap_is_refused(ana_in: Visitor, tfa_mock: TfaMock) -> None:
    text = transfer(ana_in, "1000.01")
    assert (
        "Transfer not made: 1,000.01 EUR is over the cap of your tier 1"
        " (1,000.00 EUR). Set up an authenticator app in Settings to reach tier 2."
    ) in text
    assert tfa_mock.approval_requests() == []
    assert ana_in.account().balance == 25_000_00


def test_tier_0_cannot_send_money(visitor: Visitor, tfa_mock: TfaMock) -> None:
    visitor.sign_up(ANA, verify=False)
    text = transfer(visitor, "10")
    assert "over the cap of your tier 0 (0.00 EUR). Verify your phone" in text
    assert visitor.account().balance == 25_000_00


def test_bad_amounts_are_refused(ana_in: Visitor) -> None:
    for amount in ("-5", "0", "abc", "1.005", "NaN"):
        assert "Enter an amount above zero" in transfer(ana_in, amount)
    assert "Enter who the money goes to." in transfer(ana_in, "5", payee="  ")
    assert ana_in.account().balance == 25_000_00
