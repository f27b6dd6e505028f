"""Helpers of the mock tests: requests in either format, registering a user, the
body a response carries, and direct state changes the control API would make."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.mock._bodies import compact
from tests.mock.conftest import API_KEY
from tfa_mock.backend import Backend
from tfa_mock.backend.records import Device
from tfa_mock.wire.params import decode

__all__ = [
    "AUTH",
    "FORMATS",
    "KEY_HEX",
    "assert_body",
    "body_of",
    "compact",
    "get",
    "install_device",
    "post",
    "register",
    "set_key",
]

AUTH = {"X-TFA-API-Key": API_KEY}
FORMATS = ("json", "xml")
# API.md §5.8: the test secret.
KEY_HEX = "0102030405060708090a0b0c0d0e0f1011121314"


def body_of(resp: TestResponse, fmt: str) -> dict[str, Any]:
    """The response body as a dict, whatever its format (XML read back as params)."""
    if fmt == "json":
        assert resp.content_type == "application/json; charset=utf-8"
        loaded: dict[str, Any] = json.loads(resp.data)
        return loaded
    assert resp.content_type == "application/xml; charset=utf-8"
    assert resp.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    params = decode(content_type="application/xml", body=resp.data, query=b"")
    if list(params) == ["errors"]:  # an <errors> root is one parameter
        inner: dict[str, Any] = params["errors"]
        return inner
    return params


def assert_body(
    resp: TestResponse, fmt: str, status: int, expected: dict[str, Any]
) -> None:
    """Status and body: JSON byte for byte, XML read back and compared."""
    assert resp.status_code == status, resp.data
    if fmt == "json":
        assert resp.data == compact(expected)
    else:
        assert body_of(resp, fmt) == expected


def get(client: FlaskClient, fmt: str, path: str, **kwargs: Any) -> TestResponse:
    kwargs.setdefault("headers", AUTH)
    return client.get(f"/protected/{fmt}{path}", **kwargs)


def post(client: FlaskClient, fmt: str, path: str, **kwargs: Any) -> TestResponse:
    kwargs.setdefault("headers", AUTH)
    return client.post(f"/protected/{fmt}{path}", **kwargs)


def register(
    client: FlaskClient,
    *,
    email: str = "ana@example.com",
    cellphone: str = "201-555-0123",
    country_code: int = 1,
    send_install_link: bool = False,
    key: str = API_KEY,
) -> int:
    """Register a user of the app with *key* through the API (JSON); its id."""
    resp = post(
        client,
        "json",
        "/users/new",
        headers={"X-TFA-API-Key": key},
        json={
            "user": {
                "email": email,
                "cellphone": cellphone,
                "country_code": country_code,
            },
            "send_install_link_via_sms": send_install_link,
        },
    )
    assert resp.status_code == 200, resp.data
    uid: int = resp.json["user"]["id"]  # type: ignore[index]
    return uid


def install_device(
    backend: Backend, uid: int, *, kind: str = "android", at: float | None = None
) -> Device:
    """Install the simulated device directly (the control API's job, §7.6)."""
    with backend.lock:
        device = Device(
            id=backend.next_id("device"),
            uuid=backend.draw_uuid(),
            kind=kind,
            installed_at=backend.now() if at is None else at,
        )
        backend.users[uid].device = device
        return device


def set_key(backend: Backend, uid: int, key_hex: str = KEY_HEX) -> None:
    """Give a user a known secret."""
    with backend.lock:
        backend.users[uid].key = bytes.fromhex(key_hex)
