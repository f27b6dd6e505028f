"""Fixtures of the hostile-input tests: a seeded backend at a frozen instant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.hostile._support import API_KEY, new_backend
from tfa_mock.app import create_app
from tfa_mock.backend import Backend
from tfa_mock.config import MockConfig


@pytest.fixture
def backend() -> Iterator[Backend]:
    """A seeded backend whose clock stands frozen at NOW."""
    the_backend = new_backend()
    yield the_backend
    the_backend.close()


@pytest.fixture
def app(backend: Backend) -> Flask:
    return create_app(MockConfig(seed=7, api_key=API_KEY), backend=backend)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client
