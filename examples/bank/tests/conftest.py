"""Fixtures of the Example Bank tests: the bank on the ``tfa_mock`` fixture (one
clock: the bank reads the mock's), a visitor with a cookie jar who fills in forms
the way a browser does (the CSRF token read from the page), and the bank served on
a real loopback port so that the mock's callbacks reach it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from examples.bank import Config, create_app
from examples.bank.db import Account, Db
from tests.client.receiver import PATH, serving
from tfa_mock.pytest_plugin import TfaMock

__all__ = ["ANA", "BOB", "Visitor", "other_code", "page_text"]

ANA = ("ana@example.com", "201-555-0123", "+12015550123")
BOB = ("bob@example.com", "201-555-0199", "+12015550199")
PASSWORD = "correct horse battery"

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")


def other_code(code: str) -> str:
    """A code of the same length that is not *code*."""
    return str((int(code) + 1) % 10 ** len(code)).zfill(len(code))


def page_text(response: TestResponse) -> str:
    """The page's text as a person reads it: no tags, entities decoded, spaces
    collapsed."""
    text = _TAG.sub(" ", response.get_data(as_text=True))
    return " ".join(html.unescape(text).split())


@dataclass
class Visitor:
    """One browser: a cookie jar on the bank, posting forms with their token."""

    app: Flask
    client: FlaskClient
    tfa_mock: TfaMock

    @property
    def db(self) -> Db:
        db: Db = self.app.extensions["bank"].db
        return db

    def get(self, path: str) -> TestResponse:
        return self.client.get(path, follow_redirects=True)

    def submit(self, page: str, to: str | None = None, **fields: str) -> TestResponse:
        """Open *page*, then post *fields* with the page's CSRF token to *to*
        (default: the page itself), following redirects."""
        found = _CSRF.search(self.get(page).get_data(as_text=True))
        assert found, f"no form with a CSRF token on {page}"
        data = {"csrf": found.group(1), **fields}
        return self.client.post(to or page, data=data, follow_redirects=True)

    def sign_up(
        self,
        who: tuple[str, str, str] = ANA,
        *,
        country_code: str = "1",
        verify: bool = True,
    ) -> TestResponse:
        email, phone, _ = who
        answer = self.submit(
            "/signup",
            email=email,
            password=PASSWORD,
            country_code=country_code,
            phone=phone,
        )
        if verify and answer.status_code == 200:
            code = self.tfa_mock.code_for(who[2])
            answer = self.submit("/verify-phone", action="check", code=code)
        return answer

    def log_in(self, email: str = ANA[0], password: str = PASSWORD) -> TestResponse:
        return self.submit("/login", email=email, password=password)

    def account(self, email: str = ANA[0]) -> Account:
        found = self.db.account_by_email(email)
        assert found is not None
        return found


def bank_config(tfa_mock: TfaMock, tmp_path: Path) -> Config:
    return Config(
        api_key=tfa_mock.api_key,
        api_url=tfa_mock.url,
        secret_key="test-only-secret-key",
        db_path=str(tmp_path / "bank.db"),
        clock=tfa_mock.clock.now,
        hash_method="scrypt:1024:8:1",  # cheap: the tests hash many passwords
    )


@pytest.fixture
def bank(tfa_mock: TfaMock, tmp_path: Path) -> Flask:
    """The bank without callbacks (every status check polls the API)."""
    return create_app(bank_config(tfa_mock, tmp_path))


@pytest.fixture
def visitor(bank: Flask, tfa_mock: TfaMock) -> Visitor:
    return Visitor(bank, bank.test_client(), tfa_mock)


def new_visitor(visitor: Visitor) -> Visitor:
    """Another browser on the same bank."""
    return Visitor(visitor.app, visitor.app.test_client(), visitor.tfa_mock)


@dataclass
class Served:
    """The bank on a loopback port, the mock configured to call it back."""

    url: str
    app: Flask


@pytest.fixture
def served(tfa_mock: TfaMock, tmp_path: Path) -> Iterator[Served]:
    config = bank_config(tfa_mock, tmp_path)
    apps: list[Flask] = []

    def make(callback_url: str) -> Flask:
        apps.append(create_app(replace(config, callback_url=callback_url)))
        return apps[0]

    with serving(make) as callback_url:
        tfa_mock.backend.patch_app(1, {"callback_url": callback_url})
        yield Served(callback_url.removesuffix(PATH), apps[0])
