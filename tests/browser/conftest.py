"""Fixtures of the browser tests: a running mock, a page, and a loopback callback
receiver. The ``browser`` fixture (the system Chromium, one per session, shared with
Example Bank's browser tests) is in :mod:`tests.support.browser`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.mock.conftest import API_KEY, NOW
from tests.support.receiver import Receiver, running_receiver
from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer

__all__ = ["Mock", "Receiver"]


@dataclass
class Mock:
    """A running mock server and plain HTTP calls to it (the API and ``/_mock``)."""

    server: MockServer
    control_token: str | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        """*method* *path* with a JSON *body*; the status and the decoded JSON."""
        headers = {"X-TFA-API-Key": API_KEY, "Accept": "application/json"}
        if self.control_token is not None and path.startswith("/_mock"):
            headers["Authorization"] = f"Bearer {self.control_token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read() or b"null")

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Like :meth:`call`, asserting a 200."""
        status, data = self.call(method, path, body)
        assert status == 200, (method, path, status, data)
        return data

    def register(
        self, email: str = "ana@example.com", phone: str = "201-555-0123"
    ) -> int:
        """Register a user through the API; its id."""
        data = self.ok(
            "POST",
            "/protected/json/users/new",
            {"user": {"email": email, "cellphone": phone, "country_code": 1}},
        )
        return int(data["user"]["id"])


@pytest.fixture
def mock() -> Iterator[Mock]:
    """A mock server on a free port, seeded, its clock frozen at NOW."""
    server = MockServer(MockConfig(port=0, seed=7, api_key=API_KEY))
    server.backend.clock.freeze()
    server.backend.clock.set(NOW)
    with server:
        yield Mock(server)


@pytest.fixture
def page(browser: Browser, mock: Mock, tmp_path: Path) -> Iterator[Page]:
    """A fresh page (its own context); saves ``end.png`` in the test's temporary
    folder and fails the test on any script error (CSP violations included)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    the_page = context.new_page()
    problems: list[str] = []
    the_page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    the_page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    try:
        yield the_page
        the_page.screenshot(path=tmp_path / "end.png", full_page=True)
    finally:
        context.close()
    assert not problems, problems


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A callback receiver on a free loopback port."""
    with running_receiver() as the_receiver:
        yield the_receiver
