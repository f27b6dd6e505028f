"""Fixtures of the mock tests: a seeded backend at a frozen instant, in process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tfa_mock.app import create_app
from tfa_mock.backend import Backend
from tfa_mock.config import MockConfig

NOW = 1700000000.0
API_KEY = "test_api_key_0123456789abcdefghij"


@pytest.fixture
def backend() -> Backend:
    """A seeded backend whose clock stands at NOW (2023-11-14 22:13:20 UTC)."""
    the_backend = Backend(seed=7, api_key=API_KEY)
    the_backend.clock.freeze()
    the_backend.clock.set(NOW)
    return the_backend


@pytest.fixture
def app(backend: Backend) -> Flask:
    return create_app(MockConfig(seed=7, api_key=API_KEY), backend=backend)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client


@pytest.fixture
def auth() -> dict[str, Any]:
    """Headers that authenticate as the default app."""
    return {"X-TFA-API-Key": API_KEY}
