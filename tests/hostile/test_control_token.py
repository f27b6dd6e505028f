"""The control token (API.md §7.1) and secrets in logs (issue 8, isolation and abuse).

* With a control token, every ``/_mock`` route (taken from the app's own URL map, so
  a new route is covered without editing this file) and the web inbox refuse a
  request without ``Authorization: Bearer <token>``, with a wrong token or another
  scheme, and change nothing; unknown ``/_mock`` paths are refused the same way, so
  the token also hides which routes exist. With the token every route answers. The
  API and the QR images do not ask for it.
* ``tfa-mock serve --api-key K --control-token T`` as a subprocess: after requests
  that carry the key in the query string, the token in the page's query string, a
  code in a verify path and a QR id, the output shows the key only in the start
  banner (issue 5 prints it there) and never the token, a code, a user's secret or
  a QR id.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.hostile._support import API_KEY, assert_envelope, comparable_state
from tests.support.serve import start
from tfa_mock.app import create_app
from tfa_mock.backend import Backend
from tfa_mock.config import MockConfig

TOKEN = "ctl-token-9f8e7d6c5b4a"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
SAMPLE_ARGS = {"app_id": "1", "user_id": "1000", "delivery_id": "1", "uuid": "x"}


@pytest.fixture
def token_app(backend: Backend) -> Flask:
    return create_app(
        MockConfig(seed=7, api_key=API_KEY, control_token=TOKEN), backend=backend
    )


@pytest.fixture
def token_client(token_app: Flask) -> Iterator[FlaskClient]:
    with token_app.test_client() as client:
        yield client


def _guarded_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, path) of every ``/_mock`` route and the page, ids filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not (rule.rule == "/" or rule.rule.startswith("/_mock")):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", SAMPLE_ARGS[name], path)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    return routes


REFUSED_HEADERS = {
    "none": {},
    "wrong": {"Authorization": "Bearer not-the-token"},
    "prefix": {"Authorization": f"Bearer {TOKEN[:-1]}"},
    "basic": {"Authorization": f"Basic {TOKEN}"},
    "bare": {"Authorization": TOKEN},
    "api-key": {"X-TFA-API-Key": API_KEY},
}


def test_every_control_route_and_the_page_need_the_token(
    token_app: Flask, token_client: FlaskClient, backend: Backend
) -> None:
    routes = _guarded_routes(token_app)
    assert ("GET", "/") in routes and ("POST", "/_mock/reset") in routes
    assert len(routes) >= 25
    user = backend.register_user(
        1,
        email="ana@example.com",
        cellphone="201-555-0123",
        country_code=1,
        send_install_link=True,
    )
    before = comparable_state(backend)
    for method, path in [*routes, ("GET", "/_mock/nope"), ("POST", "/_mock/x/y")]:
        for name, headers in REFUSED_HEADERS.items():
            resp = token_client.open(
                path,
                method=method,
                headers=headers,
                json={"kind": "iphone"},
                query_string={"control_token": "wrong"},
                buffered=False,
            )
            assert resp.status_code == 401, (method, path, name)
            body = json.loads(resp.get_data())
            assert assert_envelope(401, "json", body) == "60001"
            assert body["message"] == "Invalid control token"
            resp.close()
    # Nothing happened: no reset, no device, no clock change, no approval.
    assert comparable_state(backend) == before
    assert backend.user_record(user).device is None


def test_the_token_opens_every_route(
    token_app: Flask, token_client: FlaskClient
) -> None:
    for method, path in _guarded_routes(token_app):
        resp = token_client.open(path, method=method, headers=BEARER, buffered=False)
        assert resp.status_code != 401, (method, path, resp.data)
        resp.close()


def test_only_the_page_and_its_events_take_the_token_in_the_query(
    token_client: FlaskClient,
) -> None:
    query = {"control_token": TOKEN}
    for path in ("/", "/_mock/events"):
        resp = token_client.get(path, query_string=query, buffered=False)
        assert resp.status_code == 200, path
        resp.close()
    for path in ("/_mock/page", "/_mock/snapshot", "/_mock/inbox"):
        assert token_client.get(path, query_string=query).status_code == 401


def test_the_api_and_qr_images_do_not_need_the_token(
    token_client: FlaskClient,
) -> None:
    resp = token_client.get(
        "/protected/json/app/details", headers={"X-TFA-API-Key": API_KEY}
    )
    assert resp.status_code == 200
    resp = token_client.get("/qr/00000000000000000000000000000000.png")
    assert resp.status_code == 404  # unknown image, not 401
    resp = token_client.get("/protected/json/app/details")
    assert resp.json["message"] == "Invalid API key"  # type: ignore[index]


# -- the CLI's output -----------------------------------------------------------------

CLI_KEY = "cli_hostile_key_0123456789abcdef"


def _fetch(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    data: Any = None,
) -> tuple[int, bytes]:
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(
        url, data=body, method=method, headers=headers or {}
    )
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def test_the_cli_never_logs_keys_tokens_codes_or_secrets() -> None:
    served = start("--seed", "5", "--api-key", CLI_KEY, "--control-token", TOKEN)
    try:
        secrets = _exercise(served.url)
    finally:
        code, out, err = served.stop(signal.SIGTERM)
    assert code == 0, err
    banner_text = "".join(served.banner)
    assert CLI_KEY in banner_text  # issue 5: the banner prints the key
    assert TOKEN not in banner_text
    log = err + out  # what came after the banner, and every request line
    requests = [line for line in err.splitlines() if " /protected/" in line]
    assert len(requests) >= 6, err  # the check below is about real log lines
    assert "GET /protected/json/verify/***/1000 200" in err
    assert err.count("127.0.0.1 - - 400") == 2, err
    for secret in (CLI_KEY, TOKEN, *secrets):
        assert secret not in log, secret


def _exercise(url: str) -> list[str]:
    """Requests that carry secrets where a careless log would show them; the
    secrets that came back (codes, the user's secret, the QR id)."""
    key = {"X-TFA-API-Key": CLI_KEY}
    status, _ = _fetch(f"{url}/protected/json/app/details?api_key={CLI_KEY}")
    assert status == 200
    status, _ = _fetch(
        f"{url}/protected/json/users/new",
        method="POST",
        headers=key,
        data={
            "user": {
                "email": "ana@example.com",
                "cellphone": "201-555-0123",
                "country_code": 1,
            }
        },
    )
    assert status == 200
    status, _ = _fetch(f"{url}/protected/json/sms/1000?force=true&api_key={CLI_KEY}")
    assert status == 200
    status, raw = _fetch(f"{url}/_mock/inbox/latest?user_id=1000", headers=BEARER)
    assert status == 200
    code = json.loads(raw)["code"]
    status, _ = _fetch(
        f"{url}/protected/json/verify/{code}/1000?force=true&api_key={CLI_KEY}"
    )
    assert status == 200
    status, raw = _fetch(f"{url}/_mock/users/1000", headers=BEARER)
    assert status == 200
    secret = json.loads(raw)["secret"]
    status, raw = _fetch(
        f"{url}/protected/json/users/1000/secret", method="POST", headers=key, data={}
    )
    assert status == 200
    qr_path = json.loads(raw)["qr_code"].removeprefix(url)
    qr_id = qr_path.removeprefix("/qr/").removesuffix(".png")
    assert _fetch(url + qr_path)[0] == 200
    assert _fetch(f"{url}/?control_token={TOKEN}")[0] == 200
    status, _ = _fetch(f"{url}/protected/json/app/stats?api_key={CLI_KEY}x")
    assert status == 401
    # Malformed request lines never reach the app: http.server refuses them, and
    # must neither quote them in the log nor leave the client without an answer.
    port = int(url.rsplit(":", 1)[1])
    for line in (
        f"GET /protected/json/app/details?api_key={CLI_KEY} extra HTTP/1.1",
        f"GET /?control_token={TOKEN} HTTP/1.1 junk",
        f"GET /protected/json/verify/{code}/1000 HTTP/9.9",
    ):
        assert _raw_status(port, line) in ("400", "505"), line
    return [code, secret, qr_id]


def _raw_status(port: int, request_line: str) -> str:
    """The status code answered to one raw request line (without a status line
    when the version is unreadable: HTTP/0.9 style, the code is in the page)."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request_line.encode() + b"\r\n\r\n")
        while chunk := sock.recv(65536):
            answer += chunk
    found = re.search(rb"^HTTP/\S+ (\d{3})|Error code: (\d{3})", answer)
    assert found is not None, answer[:200]
    return (found.group(1) or found.group(2)).decode()
