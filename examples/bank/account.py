"""The account page, transfers (use cases 3 and 6) and the settings page.

A transfer is capped by the account's tier (0: none, 1: a verified phone, 2: an
authenticator app). Above ``step_up_above`` it needs a OneTouch push whose visible
details are the amount and the payee; it is made only once approved (:mod:`push`).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .db import Account
from .web import bank, current_account, login_required, money, parse_amount

__all__ = ["bp"]

bp = Blueprint("account", __name__)

RAISE_TIER = (
    "Verify your phone to reach tier 1.",
    "Set up an authenticator app in Settings to reach tier 2.",
    "",
)


@bp.route("/")
def index() -> Response:
    target = "account.home" if current_account() else "auth.login"
    return redirect(url_for(target))


@bp.route("/account")
@login_required
def home() -> str:
    account = current_account()
    assert account is not None
    transfers = bank().db.transfers(account.id)
    return render_template(
        "account.html",
        account=account,
        transfers=transfers,
        cap=bank().config.tier_caps[account.tier],
        step_up=bank().config.step_up_above,
        money=money,
    )


@bp.route("/transfer", methods=["POST"])
@login_required
def transfer() -> Response:
    account = current_account()
    assert account is not None
    amount = parse_amount(request.form.get("amount", ""))
    payee = " ".join(request.form.get("payee", "").split())[:60]
    error = _refusal(account, amount, payee)
    if error is not None or amount is None:
        flash(error or "", "error")
        return redirect(url_for("account.home"))
    now = bank().now()
    if amount > bank().config.step_up_above and account.tfa_id is not None:
        uuid = (
            bank()
            .tfa.create_approval_request(
                account.tfa_id,
                f"Approve a transfer of {money(amount)} to {payee}",
                details={
                    "Amount": money(amount),
                    "Payee": payee,
                    "From": account.email,
                },
                seconds_to_expire=bank().config.push_ttl,
            )
            .uuid
        )
        bank().db.add_push(
            uuid=uuid,
            account_id=account.id,
            purpose="transfer",
            now=now,
            amount=amount,
            payee=payee,
        )
        return redirect(url_for("push.wait", uuid=uuid))
    if bank().db.transfer(account.id, amount, payee, now):
        flash(f"Transfer of {money(amount)} to {payee} made.", "ok")
    else:
        flash(f"Transfer not made: your balance is {money(account.balance)}.", "error")
    return redirect(url_for("account.home"))


def _refusal(account: Account, amount: int | None, payee: str) -> str | None:
    if amount is None:
        return "Enter an amount above zero, like 250 or 250.50."
    if not payee:
        return "Enter who the money goes to."
    cap = bank().config.tier_caps[account.tier]
    if amount > cap:
        return (
            f"Transfer not made: {money(amount)} is over the cap of your tier"
            f" {account.tier} ({money(cap)}). {RAISE_TIER[account.tier]}"
        ).strip()
    if amount > account.balance:
        return f"Transfer not made: your balance is {money(account.balance)}."
    return None


@bp.route("/settings")
@login_required
def settings() -> str:
    account = current_account()
    assert account is not None
    return render_template(
        "settings.html",
        account=account,
        caps=bank().config.tier_caps,
        money=money,
    )
