"""Caps (issue 8): the inbox, the journal and the delivery log keep their newest
entries, so a long-running server's memory stays flat.

Through HTTP (Flask test client) on a backend built with small caps; the one test
that needs a real callback receiver uses a loopback server that holds its answer
until told to, so an attempt is in flight exactly when its record is dropped.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.mock.conftest import API_KEY, NOW
from tests.support.serve import start
from tests.support.wait import wait_for, wait_until
from tfa_mock.app import create_app
from tfa_mock.backend import Backend
from tfa_mock.backend.base import DEFAULT_CAP
from tfa_mock.cli import build_parser
from tfa_mock.config import MockConfig

AUTH = {"X-TFA-API-Key": API_KEY}


_made: list[Backend] = []


def _backend(
    *,
    max_messages: int = DEFAULT_CAP,
    max_journal: int = DEFAULT_CAP,
    max_deliveries: int = DEFAULT_CAP,
) -> Backend:
    backend = Backend(
        seed=7,
        api_key=API_KEY,
        max_messages=max_messages,
        max_journal=max_journal,
        max_deliveries=max_deliveries,
    )
    backend.clock.freeze()
    backend.clock.set(NOW)
    _made.append(backend)
    return backend


@pytest.fixture(autouse=True)
def _close_backends() -> Iterator[None]:
    """Stop the delivery workers the test started, pass or fail."""
    yield
    while _made:
        _made.pop().close()


def _client(backend: Backend) -> FlaskClient:
    app: Flask = create_app(MockConfig(seed=7, api_key=API_KEY), backend=backend)
    return app.test_client()


def _register(client: FlaskClient, cellphone: str = "201-555-0123") -> int:
    response = client.post(
        "/protected/json/users/new",
        json={
            "user": {
                "email": "ana@example.com",
                "cellphone": cellphone,
                "country_code": 1,
            },
            "send_install_link_via_sms": False,
        },
        headers=AUTH,
    )
    assert response.status_code == 200, response.data
    return int(response.get_json()["user"]["id"])


def _sms(client: FlaskClient, user_id: int) -> None:
    response = client.get(f"/protected/json/sms/{user_id}", headers=AUTH)
    assert response.status_code == 200, response.data


def _json(client: FlaskClient, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.data
    return response.get_json()


# -- settings --------------------------------------------------------------------------


def test_defaults_are_ten_thousand_and_the_config_reaches_the_backend() -> None:
    assert DEFAULT_CAP == 10_000
    assert MockConfig().max_messages == MockConfig().max_journal == 10_000
    assert MockConfig().max_deliveries == 10_000
    default = Backend(seed=7)
    assert (default.max_messages, default.max_journal, default.max_deliveries) == (
        10_000,
        10_000,
        10_000,
    )
    config = MockConfig(max_messages=3, max_journal=4, max_deliveries=5)
    built: Backend = create_app(config).extensions["tfa_backend"]
    assert (built.max_messages, built.max_journal, built.max_deliveries) == (3, 4, 5)


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "10"])
@pytest.mark.parametrize("name", ["max_messages", "max_journal", "max_deliveries"])
def test_a_cap_must_be_a_positive_integer(name: str, bad: object) -> None:
    with pytest.raises(ValueError, match=f"^{name}: must be an integer >= 1$"):
        Backend(seed=7, **{name: bad})  # type: ignore[arg-type]


# -- the inbox -------------------------------------------------------------------------


def test_the_inbox_keeps_the_newest_messages() -> None:
    backend = _backend(max_messages=3)
    client = _client(backend)
    user_id = _register(client)
    for _ in range(5):
        _sms(client, user_id)

    messages = _json(client, "/_mock/inbox")["messages"]
    # Ids keep counting: the cap drops old messages, it does not renumber.
    assert [m["id"] for m in messages] == [3, 4, 5]
    assert [m["code"] for m in messages] == [m.code for m in backend.messages]
    assert _json(client, "/_mock/inbox/latest")["id"] == 5
    assert [m["id"] for m in _json(client, "/_mock/inbox?after=4")["messages"]] == [5]

    # Statistics count every SMS sent, not only those still in the inbox.
    stats = _json_api(client, "/protected/json/app/stats")["stats"][-1]
    assert stats["sms_count"] == 5


def test_a_trimmed_code_still_verifies() -> None:
    """The cap is on the inbox only: a sent code stays valid (API.md §5.4)."""
    backend = _backend(max_messages=1)
    client = _client(backend)
    user_id = _register(client)
    _sms(client, user_id)
    first = backend.messages[-1].code
    _sms(client, user_id)
    assert [m.id for m in backend.messages] == [2]
    response = client.get(
        f"/protected/json/verify/{first}/{user_id}?force=true", headers=AUTH
    )
    assert response.status_code == 200, response.data


def test_the_cap_survives_a_full_reset() -> None:
    backend = _backend(max_messages=2)
    client = _client(backend)
    assert client.post("/_mock/reset").status_code == 200
    backend.clock.freeze()
    user_id = _register(client)
    for _ in range(3):
        _sms(client, user_id)
    assert [m.id for m in backend.messages] == [2, 3]


# -- the journal -----------------------------------------------------------------------


def _json_api(client: FlaskClient, path: str) -> Any:
    response = client.get(path, headers=AUTH)
    assert response.status_code == 200, response.data
    return response.get_json()


def test_the_journal_keeps_the_newest_requests() -> None:
    backend = _backend(max_journal=4)
    client = _client(backend)
    user_id = _register(client)
    paths = [f"/protected/json/users/{user_id}/status"] * 3 + [
        "/protected/json/app/details",
        "/protected/json/app/stats",
    ]
    for path in paths:
        _json_api(client, path)

    journal = _json(client, "/_mock/requests")["requests"]
    assert [e["path"] for e in journal] == paths[-4:]
    # Statistics are counted apart from the journal: all six requests, this one
    # included (API.md §3.13), although the journal shows four.
    stats = _json_api(client, "/protected/json/app/stats")["stats"][-1]
    assert stats["api_calls_count"] == 7
    assert len(_json(client, "/_mock/requests")["requests"]) == 4


# -- the delivery log ------------------------------------------------------------------


class _HeldReceiver:
    """A loopback callback receiver whose first answer waits for :attr:`release`."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.bodies: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                receiver.arrived.set()
                receiver.release.wait(5)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/cb"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def held() -> Iterator[_HeldReceiver]:
    receiver = _HeldReceiver()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        receiver.server.shutdown()
        receiver.server.server_close()
        receiver.thread.join(timeout=5)


def _create(client: FlaskClient, user_id: int) -> str:
    response = client.post(
        f"/onetouch/json/users/{user_id}/approval_requests",
        json={"message": "Login requested"},
        headers=AUTH,
    )
    assert response.status_code == 200, response.data
    return str(response.get_json()["approval_request"]["uuid"])


def test_dropping_a_delivery_in_flight_does_not_stop_the_worker(
    held: _HeldReceiver,
) -> None:
    backend = _backend(max_deliveries=1)
    client = _client(backend)
    with backend.lock:
        backend.apps[1].callback_url = held.url
    user_id = _register(client)
    first, second = _create(client, user_id), _create(client, user_id)
    try:
        backend.approve(first)
        wait_for(held.arrived, what="the first callback at the receiver")
        # The first attempt is in flight; the second delivery pushes its record out.
        backend.deny(second)
        [only] = backend.list_deliveries()
        assert (only["approval_request_uuid"], only["event"]) == (second, "denied")
    finally:
        held.release.set()
    wait_until(backend, lambda: backend.list_deliveries()[0]["status"] == "delivered")

    [delivered] = backend.list_deliveries()
    assert delivered["id"] == 2 and len(delivered["attempts"]) == 1
    assert [b["uuid"] for b in held.bodies] == [first, second]


def test_the_delivery_log_keeps_the_newest_and_redeliver_of_a_dropped_one_is_404(
    held: _HeldReceiver,
) -> None:
    held.release.set()
    backend = _backend(max_deliveries=2)
    client = _client(backend)
    with backend.lock:
        backend.apps[1].callback_url = held.url
    user_id = _register(client)
    uuids = [_create(client, user_id) for _ in range(3)]
    for uuid in uuids:
        backend.approve(uuid)
    wait_until(
        backend,
        lambda: all(d["status"] == "delivered" for d in backend.list_deliveries()),
    )
    # The first delivery may have been dropped before or during its attempt.
    assert {b["uuid"] for b in held.bodies} >= set(uuids[1:])

    listed = _json(client, "/_mock/callbacks")["callbacks"]
    assert [(d["id"], d["approval_request_uuid"]) for d in listed] == [
        (2, uuids[1]),
        (3, uuids[2]),
    ]
    response = client.post("/_mock/callbacks/1/redeliver")
    assert (response.status_code, response.get_json()["error_code"]) == (404, "60000")


# -- snapshots -------------------------------------------------------------------------


def test_a_longer_snapshot_restores_exactly_and_is_trimmed_on_the_next_append() -> None:
    """API.md §7.13 restores exactly; the caps are this server's settings, not
    state, so a restored inbox longer than the cap stays until the next message."""
    source = _backend()
    source_client = _client(source)
    user_id = _register(source_client)
    for _ in range(4):
        _sms(source_client, user_id)
    snapshot = source_client.get("/_mock/snapshot").get_json()

    target = _backend(max_messages=2, max_journal=3)
    client = _client(target)
    response = client.post("/_mock/snapshot", json=snapshot)
    assert response.status_code == 200, response.data
    assert client.get("/_mock/snapshot").get_json() == snapshot
    assert [m.id for m in target.messages] == [1, 2, 3, 4]
    assert len(target.journal) == 5

    _sms(client, user_id)
    assert [m.id for m in target.messages] == [4, 5]
    assert [e.path for e in target.journal][-1] == f"/protected/json/sms/{user_id}"
    assert len(target.journal) == 3


# -- the command line ------------------------------------------------------------------


def test_serve_takes_the_caps_from_the_command_line() -> None:
    served = start("--api-key", API_KEY, "--max-journal", "2")
    try:
        for _ in range(3):
            status, _ = served.get("/protected/json/app/details", headers=AUTH)
            assert status == 200
        status, body = served.get("/_mock/requests")
        assert status == 200 and len(body["requests"]) == 2
    finally:
        code, _, err = served.stop(signal.SIGTERM)
    assert code == 0, err


@pytest.mark.parametrize(
    "flag", ["--max-messages", "--max-journal", "--max-deliveries"]
)
@pytest.mark.parametrize("bad", ["0", "-5", "ten"])
def test_serve_refuses_a_cap_below_one(
    flag: str, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve", flag, bad])
    assert exited.value.code == 2
    assert f"not a positive integer: '{bad}'" in capsys.readouterr().err
