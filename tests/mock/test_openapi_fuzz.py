"""schemathesis against a live MockServer, from the mock's own OpenAPI document.

Every operation of the document (the event stream aside: it ends only with the
server) gets generated requests, valid and invalid (schemathesis' positive and
negative modes), in JSON and XML; each answer is checked:

* no 5xx (``not_a_server_error``);
* its status is documented (``status_code_conformance``);
* its media type is documented (``content_type_conformance``) and is the one of
  the path's ``{format}`` (XML on an ``xml`` path, except the 404/60000 route
  error, which API.md §1.5 keeps JSON);
* a JSON body conforms to its schema (``response_schema_conformance``).

Bounded for CI: a fixed seed, ``MAX_EXAMPLES`` generated requests an operation, no
coverage phase. Each operation starts from a reset mock holding one user with a
device, an enrollment and a pending approval request, so ids in the schemas'
examples (1000) reach the views. The stateful run follows the document's links
from ``users/new`` to sms, call, email, verify, status and approval requests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.mock._openapi_state import seed
from tests.mock.conftest import API_KEY
from tfa_mock.app import create_app
from tfa_mock.config import MockConfig
from tfa_mock.openapi import build_document
from tfa_mock.server import MockServer

# A deeper run by hand:
#   TFA_FUZZ_EXAMPLES=300 .venv/bin/pytest tests/mock/test_openapi_fuzz.py
MAX_EXAMPLES = int(os.environ.get("TFA_FUZZ_EXAMPLES", "12"))
STATEFUL_STEPS = 8
STATEFUL_SCENARIOS = 10
SEED = 14

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
AUTH = {"X-TFA-API-Key": API_KEY}

_CONFIG = schemathesis.Config.from_dict(
    {"seed": SEED, "phases": {"coverage": {"enabled": False}}}
)
schema = schemathesis.openapi.from_dict(
    build_document(create_app(MockConfig())), config=_CONFIG
)


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(MockConfig(port=0, seed=SEED, api_key=API_KEY)) as running:
        yield running


@pytest.fixture
def live(server: MockServer) -> MockServer:
    """The server reset, with one seeded user (id 1000) and her records."""
    server.backend.reset_all()
    with server.app.test_client() as client:
        seed(client, server.backend)
    return server


def check_format(response: Any, case: Any) -> None:
    """The answer's media type is the one its path's ``{format}`` names; the
    route error 404/60000 (an unknown format among its causes) is always JSON."""
    fmt = (case.path_parameters or {}).get("format")
    if fmt is None:
        return
    media = response.headers.get("content-type", [""])[0].split(";")[0]
    json_404 = response.status_code == 404 and media == "application/json"
    if json_404 and response.json()["error_code"] == "60000":
        return
    assert fmt in ("json", "xml"), (case.operation.label, fmt, response.text)
    assert media == f"application/{fmt}", (case.operation.label, media)


def _bounded(case: Any) -> None:
    # inbox/latest?wait= waits real seconds (up to 30): the run keeps it at 0.
    if case.query and "wait" in case.query:
        case.query["wait"] = 0


@schema.exclude(path="/_mock/events").parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_documented(case: Any, live: MockServer) -> None:
    _bounded(case)
    response = case.call_and_validate(base_url=live.url, headers=AUTH, checks=CHECKS)
    check_format(response, case)


_API = schema.include(path_regex="^/(protected|onetouch)/")


class _Links(_API.as_state_machine()):  # type: ignore[misc]
    """Scenarios along the links of ``users/new`` (its id feeds the others)."""

    server: MockServer
    serial = 0
    answered: ClassVar[set[str]] = set()  # labels of the calls that answered 200

    def setup(self) -> None:
        self.server.backend.reset_all()

    def before_call(self, case: Any) -> None:
        _bounded(case)
        if case.operation.label == "POST /protected/{format}/users/new":
            # Random strings are almost never phone numbers: give users/new a
            # valid one, so the links have an id to follow.
            type(self).serial += 1
            case.media_type = "application/json"
            case.body = {
                "user": {
                    "email": f"user{self.serial}@example.com",
                    "cellphone": f"201-555-01{self.serial % 100:02d}",
                    "country_code": 1,
                }
            }

    def after_call(self, response: Any, case: Any) -> None:
        super().after_call(response, case)
        if response.status_code == 200:
            self.answered.add(case.operation.label)

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {"base_url": self.server.url, "headers": AUTH}

    def validate_response(
        self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        case.validate_response(response, checks=CHECKS)
        check_format(response, case)


def test_stateful_runs_follow_the_links(server: MockServer) -> None:
    _Links.server = server
    _Links.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            database=None,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The links were followed with real ids: a user was made, and at least one
    # call that takes her id answered 200 with it.
    assert "POST /protected/{format}/users/new" in _Links.answered
    linked = _Links.answered - {"POST /protected/{format}/users/new"}
    assert any("{id}" in label for label in linked), _Links.answered
