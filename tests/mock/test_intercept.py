"""tfa_mock.intercept: unmodified apps and SDKs on their default hosts reach the mock.

The PyPI ``authy`` SDK (2.2.6, on requests) with its default ``api_uri``, a
``requests.Session``, an ``httpx.Client``, an ``httpx.AsyncClient`` and the tfa
client on its default base URL each run the product page's flow against the
in-process mock: register, an SMS, its code from the inbox, an approval request
approved as the device would and read back. Other hosts still reach a real local
server; with ``passthrough=False`` they are refused; and nothing stays patched.
"""

from __future__ import annotations

import asyncio
import re
import runpy
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import requests
from authy.api import AuthyApiClient

import tfa_mock
from tfa_core import transport as tfa_core_transport
from tfa_core.client import Client, Status, TfaProtocolError, TfaTransportError
from tfa_mock.intercept import Interception
from tfa_mock.web.events import change_event

T = TypeVar("T")
PHONE = "+12015550123"
NEW_USER = {
    "user": {"email": "ana@example.com", "cellphone": "201-555-0123", "country_code": 1}
}
APPROVAL = {"message": "Log in?", "details": {"Location": "California, USA"}}


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run *coroutine* to its end on a new event loop in a thread of its own: the
    test's thread may already run a loop (Playwright's sync API keeps one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=60)


class _Local:
    """A real HTTP server on loopback that says who it is and counts its hits."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        local = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self) -> None:
                local.paths.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                payload = b'{"served_by":"local"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _reply

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port


@pytest.fixture
def local() -> Iterator[_Local]:
    server = _Local()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join(timeout=5)


# -- the flow, from each client --------------------------------------------------


def test_the_authy_sdk_on_its_default_host() -> None:
    with tfa_mock.intercept() as mock:
        authy = AuthyApiClient(mock.api_key)  # api_uri: https://api.authy.com
        user = authy.users.create("ana@example.com", "201-555-0123", 1)
        assert user.ok(), user.errors()
        sms = authy.users.request_sms(user.id, {"force": True})
        assert sms.ok() and sms.content["message"] == "SMS token was sent"
        verified = authy.tokens.verify(user.id, mock.code_for(PHONE))
        assert verified.ok() and verified.content["token"] == "is valid"
        wrong = authy.tokens.verify(user.id, "0000000")
        assert not wrong.ok()

        mock.install_device(user.id, "android")
        sent = authy.one_touch.send_request(
            user.id, "Log in?", seconds_to_expire=300, details={"Location": "CA"}
        )
        assert sent.ok(), sent.errors()
        uuid = sent.get_uuid()
        pending = authy.one_touch.get_approval_status(uuid)
        assert pending.content["approval_request"]["status"] == "pending"
        mock.approve(uuid)
        read = authy.one_touch.get_approval_status(uuid)
        assert read.ok() and read.content["approval_request"]["status"] == "approved"
        assert read.content["approval_request"]["details"] == {"Location": "CA"}
    assert [e.path for e in mock.requests][:2] == [
        "/protected/json/users/new",
        "/protected/json/sms/1000",
    ]


Send = Callable[[str, str, Any], Awaitable[tuple[int, Any]]]


async def _flow(send: Send, mock: Interception, base: str) -> None:
    """The flow through ``await send(method, url, json_body) -> (status, body)``."""
    status, body = await send("POST", f"{base}/protected/json/users/new", NEW_USER)
    assert status == 200, body
    user_id = body["user"]["id"]
    status, body = await send(
        "GET", f"{base}/protected/json/sms/{user_id}?force=true", None
    )
    assert (status, body["message"]) == (200, "SMS token was sent")
    code = mock.code_for(PHONE)
    verify = f"{base}/protected/json/verify/{code}/{user_id}"
    status, body = await send("GET", f"{verify}?force=true", None)
    assert (status, body["success"], body["token"]) == (200, "true", "is valid")
    status, body = await send("GET", verify, None)
    assert (status, body["error_code"]) == (401, "60019")  # used once already

    mock.install_device(user_id, "iphone")
    path = f"/onetouch/json/users/{user_id}/approval_requests"
    status, body = await send("POST", base + path, APPROVAL)
    assert status == 200, body
    uuid = body["approval_request"]["uuid"]
    mock.approve(uuid)
    status, body = await send(
        "GET", f"{base}/onetouch/json/approval_requests/{uuid}", None
    )
    assert status == 200
    assert body["approval_request"]["status"] == "approved"
    assert body["approval_request"]["details"] == APPROVAL["details"]


def _run_sync(call: Callable[[str, str, Any], tuple[int, Any]]) -> Send:
    async def send(method: str, url: str, body: Any) -> tuple[int, Any]:
        return call(method, url, body)

    return send


def test_a_requests_session() -> None:
    with tfa_mock.intercept() as mock, requests.Session() as session:
        session.headers.update(mock.headers)

        def send(method: str, url: str, body: Any) -> tuple[int, Any]:
            answer = session.request(method, url, json=body, timeout=5)
            return answer.status_code, answer.json()

        _run(_flow(_run_sync(send), mock, "https://api.tfa.com"))


def test_an_httpx_client_over_http_on_the_authy_host() -> None:
    with tfa_mock.intercept() as mock, httpx.Client(headers=mock.headers) as client:

        def send(method: str, url: str, body: Any) -> tuple[int, Any]:
            answer = client.request(method, url, json=body)
            return answer.status_code, answer.json()

        _run(_flow(_run_sync(send), mock, "http://api.authy.com"))


def test_an_httpx_async_client() -> None:
    async def flow(mock: Interception) -> None:
        async with httpx.AsyncClient(headers=mock.headers) as client:

            async def send(method: str, url: str, body: Any) -> tuple[int, Any]:
                answer = await client.request(method, url, json=body)
                return answer.status_code, answer.json()

            await _flow(send, mock, "https://api.tfa.com")

    with tfa_mock.intercept() as mock:
        _run(flow(mock))


def test_the_tfa_client_on_its_default_base_url() -> None:
    with tfa_mock.intercept() as mock:
        tfa = Client(mock.api_key)  # https://api.tfa.com, the urllib transport
        user_id = tfa.register_user("ana@example.com", "201-555-0123", 1).user_id
        tfa.request_sms(user_id, force=True)
        assert (
            tfa.verify_token(user_id, mock.code_for(PHONE)).message == "Token is valid."
        )
        mock.install_device(user_id, "android")
        uuid = tfa.create_approval_request(user_id, "Log in?").uuid
        mock.approve(uuid)
        read = tfa.get_approval_request(uuid)
        assert read.status == "approved" and read.status is Status.APPROVED


def test_the_fixture_intercepts_and_has_the_helpers(
    tfa_mock_intercept: Interception,
) -> None:
    mock = tfa_mock_intercept
    answer = requests.post(
        "https://api.authy.com/protected/json/users/new",
        json=NEW_USER,
        headers=mock.headers,
        timeout=5,
    )
    user_id = answer.json()["user"]["id"]
    assert mock.user(user_id).email == "ana@example.com"
    assert mock.clock.now() == tfa_mock.handle.FIXED_NOW
    tfa = Client(mock.api_key)
    assert tfa.user_status(user_id).email == "ana@example.com"


# -- other hosts -------------------------------------------------------------------


def test_other_hosts_reach_a_real_server_while_intercepting(local: _Local) -> None:
    url = f"http://127.0.0.1:{local.port}/elsewhere"

    async def fetch_async() -> Any:
        async with httpx.AsyncClient() as client:
            return (await client.get(url)).json()

    with tfa_mock.intercept() as mock:
        assert requests.get(url, timeout=5).json() == {"served_by": "local"}
        assert httpx.get(url).json() == {"served_by": "local"}
        assert _run(fetch_async()) == {"served_by": "local"}
        # The tfa client got the local server's answer, which is no tfa body.
        with pytest.raises(TfaProtocolError):
            Client(mock.api_key, f"http://127.0.0.1:{local.port}").app_details()
    assert len(local.paths) == 4
    assert mock.requests == []  # none of them reached the mock


def test_without_passthrough_other_hosts_are_refused(local: _Local) -> None:
    url = f"http://127.0.0.1:{local.port}/elsewhere"

    async def fetch_async() -> None:
        async with httpx.AsyncClient() as client:
            await client.get(url)

    with tfa_mock.intercept(passthrough=False) as mock:
        with pytest.raises(requests.ConnectionError):
            requests.get(url, timeout=5)
        with pytest.raises(httpx.ConnectError):
            httpx.get(url)
        with pytest.raises(httpx.ConnectError):
            _run(fetch_async())
        with pytest.raises(TfaTransportError, match="passthrough is off"):
            Client(mock.api_key, f"http://127.0.0.1:{local.port}").app_details()
        assert Client(mock.api_key).app_details().name == "Default App"
    assert local.paths == []


# -- restored on exit --------------------------------------------------------------


def _who_answers(port: int) -> list[str]:
    """Who answers ``http://localhost:<port>/protected/json/app/details`` from
    each library: "local" (the real server) or "mock"."""
    url = f"http://localhost:{port}/protected/json/app/details"
    headers = {"X-TFA-API-Key": tfa_mock.handle.DEFAULT_API_KEY}

    def who(body: dict[str, Any]) -> str:
        return "local" if body.get("served_by") == "local" else "mock"

    async def fetch_async() -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            return dict((await client.get(url, headers=headers)).json())

    tfa = Client(headers["X-TFA-API-Key"], f"http://localhost:{port}")
    try:
        tfa_answer = "mock" if tfa.app_details().name == "Default App" else "?"
    except TfaProtocolError:  # the local server's body is no app details
        tfa_answer = "local"
    return [
        who(requests.get(url, headers=headers, timeout=5).json()),
        who(httpx.get(url, headers=headers).json()),
        who(_run(fetch_async())),
        tfa_answer,
    ]


def test_nothing_stays_patched_after_exit_even_by_an_exception(local: _Local) -> None:
    assert _who_answers(local.port) == ["local"] * 4
    interception = tfa_mock.intercept(hosts=["localhost"])
    with interception:
        assert _who_answers(local.port) == ["mock"] * 4
    assert _who_answers(local.port) == ["local"] * 4
    with pytest.raises(KeyError), interception:
        assert _who_answers(local.port) == ["mock"] * 4
        raise KeyError("the test body failed")
    assert _who_answers(local.port) == ["local"] * 4
    # Four libraries, three times outside an interception, never inside.
    assert local.paths == ["/protected/json/app/details"] * 4 * 3


def test_as_a_decorator_sync_and_async_each_call_fresh(local: _Local) -> None:
    interception = tfa_mock.intercept(hosts=("localhost",))
    url = f"http://localhost:{local.port}/protected/json/users/new"
    headers = interception.headers

    @interception
    def register() -> int:
        answer = requests.post(url, json=NEW_USER, headers=headers, timeout=5)
        return int(answer.json()["user"]["id"])

    @interception
    async def register_async() -> int:
        async with httpx.AsyncClient() as client:
            answer = await client.post(url, json=NEW_USER, headers=headers)
            return int(answer.json()["user"]["id"])

    # Each call starts from the start state, so the same first id comes back.
    assert [register(), register(), _run(register_async())] == [1000] * 3
    assert local.paths == []
    assert _who_answers(local.port) == ["local"] * 4


def test_one_interception_at_a_time() -> None:
    second = tfa_mock.intercept()
    with tfa_mock.intercept(), pytest.raises(RuntimeError, match="another"), second:
        pass  # pragma: no cover
    with tfa_mock.intercept() as mock:  # the first one's exit freed the place
        assert Client(mock.api_key).app_details().app_id == 1


def test_the_module_is_callable_and_import_tfa_mock_stays_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tfa_mock; light = 'flask' not in sys.modules; "
        "m = tfa_mock.intercept(); from tfa_mock.intercept import Interception; "
        "assert isinstance(m, Interception) and callable(tfa_mock.intercept); "
        "print(light)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr


def test_a_decorated_test_keeps_its_fixtures() -> None:
    import inspect

    interception = tfa_mock.intercept()

    @interception
    def test_something(tmp_path: object, tfa_mock: object) -> str:
        return Client(interception.api_key).app_details().name

    # pytest reads the parameters through functools.wraps: fixtures still arrive.
    assert list(inspect.signature(test_something).parameters) == [
        "tmp_path",
        "tfa_mock",
    ]
    assert test_something(None, None) == "Default App"


def test_the_readme_interception_example_runs(tmp_path: Path) -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    after = text[text.index("### Interception: apps and SDKs") :]
    match = re.search(r"```python\n(.*?)```", after, re.DOTALL)
    assert match is not None, "the README lost its interception example"
    script = tmp_path / "example.py"
    script.write_text(match.group(1))
    runpy.run_path(str(script))
    assert tfa_core_transport._routes == ()  # and it left nothing behind


def test_the_endless_event_stream_answers_its_first_event() -> None:
    with tfa_mock.intercept() as mock:
        answer = requests.get("https://api.tfa.com/_mock/events", timeout=5)
    assert answer.headers["Content-Type"].startswith("text/event-stream")
    version = mock.backend.version
    assert answer.text == f"retry: 1000\n{change_event(version)}"
