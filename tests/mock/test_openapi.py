"""The OpenAPI document (issue 14): valid, complete, exact, served and printed.

* openapi-spec-validator accepts it;
* every Flask route of the app is in it, every documented path routes, and a
  request to each answers from its view (not a routing 404/405, never a 5xx);
* every golden body of ``fixtures/golden/api`` validates against the response
  schema of its operation and status, and the same body with any field missing or
  of another JSON type fails;
* the §4 callback body the mock sends validates against the ``callbacks`` object;
* ``GET /_mock/openapi.json`` serves it (behind the control token) and
  ``tfa-mock openapi`` prints it.

The schemathesis run against a live server is ``test_openapi_fuzz.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.mock.conftest import API_KEY
from tfa_mock import cli, spec
from tfa_mock.app import create_app
from tfa_mock.backend import Backend
from tfa_mock.callbacks import callback_payload
from tfa_mock.config import MockConfig
from tfa_mock.openapi import build_document, openapi_path

from ._openapi_state import Seeded, seed

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "api"
JSON = "application/json"

# Each golden body: the operation and status whose schema it must match.
GOLDEN_OPERATIONS: dict[str, tuple[str, int]] = {
    "app_details": ("app_details", 200),
    "app_details_60001_bad_key": ("app_details", 401),
    "app_stats": ("app_stats", 200),
    "approval_requests_create": ("approval_requests_create", 200),
    "approval_requests_status": ("approval_requests_status", 200),
    "approval_requests_status_60049_not_found": ("approval_requests_status", 404),
    "call": ("call", 200),
    "email": ("email", 200),
    "phones_info": ("phones_info", 200),
    "phones_verification_check": ("phones_verification_check", 200),
    "phones_verification_start": ("phones_verification_start", 200),
    "phones_verification_status": ("phones_verification_status", 200),
    "registrations_status": ("registrations_status", 200),
    "route_60000_not_found": ("users_status", 404),
    "sms": ("sms", 200),
    "sms_60003_too_many": ("sms", 429),
    "users_delete": ("users_delete", 200),
    "users_new": ("users_new", 200),
    "users_new_60027_not_valid": ("users_new", 400),
    "users_register_activity": ("users_register_activity", 200),
    "users_register_activity_60004_parameter": ("users_register_activity", 400),
    "users_secret": ("users_secret", 200),
    "users_status": ("users_status", 200),
    "users_status_60026_not_found": ("users_status", 404),
    "users_update": ("users_update", 200),
    "verify": ("verify", 200),
    "verify_60019_reused": ("verify", 401),
    "verify_60020_invalid": ("verify", 401),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document(create_app(MockConfig(api_key=API_KEY)))


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def response_schema(document: dict[str, Any], operation_id: str, status: int) -> Any:
    for _, _, operation in operations(document):
        if operation["operationId"] == operation_id:
            return operation["responses"][str(status)]["content"][JSON]["schema"]
    raise LookupError(operation_id)


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))


def test_every_route_is_documented_and_every_documented_path_routes(
    document: dict[str, Any],
) -> None:
    app = create_app(MockConfig())
    routes = {
        (openapi_path(rule), method.lower())
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {(path, method) for path, method, _ in operations(document)}
    assert routes == documented
    adapter = app.url_map.bind("localhost")
    for path, method in documented:
        concrete = re.sub(r"\{format\}", "json", path)
        concrete = re.sub(r"\{[^}]+\}", "1", concrete)
        try:
            adapter.match(concrete, method.upper())
        except (NotFound, MethodNotAllowed) as error:  # pragma: no cover - failure
            pytest.fail(f"{method.upper()} {path}: {error!r}")


def test_a_route_without_an_entry_or_an_entry_without_a_route_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(MockConfig())
    app.add_url_rule("/_mock/new_thing", "control.new_thing", lambda: "")
    with pytest.raises(LookupError, match="new_thing"):
        build_document(app)
    monkeypatch.setitem(spec.OPERATIONS, "control.gone", {"parameters": []})
    with pytest.raises(LookupError, match=r"control\.gone"):
        build_document(create_app(MockConfig()))


def _sample(path: str, method: str, seeded: Seeded) -> tuple[str, dict[str, Any]]:
    values = {
        "format": "json",
        "id": str(seeded.user_id),
        "user_id": str(seeded.user_id),
        "token": "0123456",
        "uuid": seeded.approval_uuid,
        "app_id": "1",
        "delivery_id": "1",
        "qr_id": seeded.qr_id,
        "filename": "inbox.js",
    }
    concrete = re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], path)
    body: dict[str, Any] = {}
    if method in ("post", "patch"):
        body = {"json": {}}
    return concrete, body


def test_every_documented_operation_answers_from_its_view(
    document: dict[str, Any], client: FlaskClient, backend: Backend
) -> None:
    seeded = seed(client, backend)
    skipped = {("get", "/_mock/events")}  # a stream that ends only with the server
    for path, method, operation in operations(document):
        if (method, path) in skipped:
            continue
        url, body = _sample(path, method, seeded)
        headers = {"X-TFA-API-Key": API_KEY}
        response = client.open(url, method=method.upper(), headers=headers, **body)
        response.close()  # a static file's answer holds the file open
        documented = operation["responses"]
        assert str(response.status_code) in documented, (method, path, response.data)
        assert response.status_code < 500, (method, path)
        media = response.mimetype
        content = documented[str(response.status_code)]["content"]
        assert media in content or "*/*" in content, (method, path, media)
        schema = content.get(media, {}).get("schema")
        if media == JSON and schema is not None:
            jsonschema.validate(response.get_json(), schema)


@pytest.mark.parametrize("name", sorted(GOLDEN_OPERATIONS))
def test_golden_bodies_match_their_schema_exactly(
    document: dict[str, Any], name: str
) -> None:
    body = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    schema = response_schema(document, *GOLDEN_OPERATIONS[name])
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(body)
    for broken, what in _broken(body):
        assert not validator.is_valid(broken), f"{name}: {what} still validates"


def test_every_golden_body_is_checked() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(GOLDEN_OPERATIONS)


# Objects of free keys (API.md §3.18): any key may be missing or added.
FREE_MAPS = ("details", "hidden_details")


def _other_type(value: object) -> object:
    """A value of another JSON type than *value* that no field of the mock takes."""
    if isinstance(value, bool):
        return "true" if value is False else 1
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return 1.5
    if value is None:
        return 1.5
    if isinstance(value, dict):
        return []
    return {}


def _broken(body: Any, where: str = "") -> Iterator[tuple[Any, str]]:
    """Copies of *body* with one field removed or of another type, at any depth."""
    free = where.rsplit("/", 1)[-1] in FREE_MAPS
    if isinstance(body, dict):
        for key, value in body.items():
            if not free:
                yield {k: v for k, v in body.items() if k != key}, f"{where}/{key} gone"
            yield {**body, key: _other_type(value)}, f"{where}/{key} of another type"
            for inner, what in _broken(value, f"{where}/{key}"):
                yield {**body, key: inner}, what
        if not free:
            yield {**body, "unexpected": 1}, f"{where} with an extra key"
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield (
                [*body[:index], _other_type(value), *body[index + 1 :]],
                (f"{where}[{index}] of another type"),
            )
            for inner, what in _broken(value, f"{where}[{index}]"):
                yield [*body[:index], inner, *body[index + 1 :]], what


def test_the_callback_body_matches_the_callbacks_object(
    document: dict[str, Any], client: FlaskClient, backend: Backend
) -> None:
    seeded = seed(client, backend)
    operation = document["paths"]["/onetouch/{format}/users/{id}/approval_requests"]
    (path_item,) = operation["post"]["callbacks"]["approvalRequestStatus"].values()
    schema = path_item["post"]["requestBody"]["content"][JSON]["schema"]
    headers = {p["name"] for p in path_item["post"]["parameters"]}
    assert headers == {
        "X-TFA-Signature",
        "X-TFA-Signature-Nonce",
        "X-Authy-Signature",
        "X-Authy-Signature-Nonce",
    }
    record, _ = backend.get_approval(1, seeded.approval_uuid)
    user = backend.user_record(seeded.user_id)
    for device in (user.device, None):
        payload = callback_payload(
            app=backend.app(1),
            user_id=seeded.user_id,
            device=device,
            request=record.request,
            event="approved",
            at=backend.now(),
            device_signature=bytes(256),
        )
        jsonschema.validate(payload, schema)


def test_the_document_is_served_under_the_control_token() -> None:
    app: Flask = create_app(MockConfig(control_token="t0ken"))
    with app.test_client() as client:
        refused = client.get("/_mock/openapi.json")
        assert refused.status_code == 401
        assert refused.json is not None and refused.json["error_code"] == "60001"
        served = client.get(
            "/_mock/openapi.json", headers={"Authorization": "Bearer t0ken"}
        )
    assert served.status_code == 200
    assert served.mimetype == JSON
    assert served.json == build_document(app, "http://localhost")


def test_tfa_mock_openapi_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["openapi", "--server-url", "http://mock.test:9000/"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == build_document(create_app(MockConfig()), "http://mock.test:9000")
    assert printed["servers"] == [{"url": "http://mock.test:9000"}]


def test_tfa_mock_openapi_into_a_pipe_closed_early_prints_no_traceback() -> None:
    # As `tfa-mock openapi | head -1`: the reader takes one line and leaves, long
    # before the document (over 600 kB) has all been written.
    with subprocess.Popen(
        [sys.executable, "-m", "tfa_mock", "openapi"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline() == b"{\n"
        proc.stdout.close()
        errors = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 1
    assert errors == ""
