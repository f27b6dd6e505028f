"""What every view shares: the bank's services, sessions, CSRF, passwords, money.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax); the session holds
only ids and the CSRF token, never a code or a key. Every POST form carries the
token (``csrf_token()`` in templates); the one exemption is the tfa callback,
which is checked by its signature instead.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, flash, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from tfa_core.client import Client
from tfa_core.guard import Guard
from tfa_core.stores import SQLiteStore

from .config import CENTS, Config
from .db import Account, Db

__all__ = [
    "Bank",
    "bank",
    "check_csrf",
    "csrf_token",
    "current_account",
    "hash_password",
    "log_in",
    "login_required",
    "money",
    "parse_amount",
    "password_matches",
]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True, kw_only=True)
class Bank:
    """The app's services, one per Flask app."""

    config: Config
    db: Db
    tfa: Client
    store: SQLiteStore  # sign-up limits and the Guard's state (tfa_core.stores)
    guard: Guard  # authenticator codes (use case 7)
    # Checked when the e-mail is unknown, so that both answers take as long.
    dummy_hash: str

    def now(self) -> float:
        return self.config.clock()


def bank() -> Bank:
    return cast(Bank, current_app.extensions["bank"])


def hash_password(password: str, method: str | None = None) -> str:
    """A salted scrypt hash (werkzeug's format: the method is in the hash)."""
    return generate_password_hash(password, method or bank().config.hash_method)


def password_matches(account: Account | None, password: str) -> bool:
    if account is None:
        check_password_hash(bank().dummy_hash, password)
        return False
    return check_password_hash(account.password_hash, password)


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuse a POST whose form token is not this session's (before_request)."""
    if request.method != "POST" or request.endpoint == "push.callback":
        return
    sent = request.form.get("csrf", "")
    known = session.get("csrf")
    if not isinstance(known, str) or not hmac.compare_digest(sent, known):
        abort(400, "The form had expired or did not come from this site; try again.")


def log_in(account_id: int) -> None:
    """A fresh session for *account_id* (a new CSRF token too)."""
    session.clear()
    session["account"] = account_id


def current_account() -> Account | None:
    account_id = session.get("account")
    if not isinstance(account_id, int):
        return None
    return bank().db.account(account_id)


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_account() is None:
            flash("Please log in first.", "error")
            return redirect(url_for("auth.login"))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def money(cents: int) -> str:
    """``150000`` -> ``1,500.00 EUR``."""
    return f"{cents // CENTS:,}.{cents % CENTS:02d} EUR"


def parse_amount(text: str) -> int | None:
    """Cents from ``1500`` or ``1500.50``; None unless a positive amount."""
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    if (
        not amount.is_finite()
        or amount <= 0
        or amount != amount.quantize(Decimal("0.01"))
    ):
        return None
    return int(amount * CENTS)
