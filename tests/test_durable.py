"""Durable state (issue 8): ``tfa-mock serve --state FILE`` keeps everything across
restarts, in process: a restart on the same file restores the exact state and ids
continue as if no restart happened; unusable files are errors, never a fresh start;
a save that fails is no success. The rows themselves: test_durable_rows.py; SIGKILL
while writing: test_durable_crash.py.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tfa_mock import persist
from tfa_mock.backend import Backend
from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer
from tfa_mock.store import StateError, StateStore

KEY = "durable_key_0123456789abcdefghijk"
NOW = 1700000000.0
STARTUP_SECONDS = 60  # bounds on waiting for events, not timings
REQUEST_SECONDS = 30
SERVE = [sys.executable, "-m", "tfa_mock", "serve", "--port", "0"]


# -- HTTP helpers ---------------------------------------------------------------------


class Http:
    """A keep-alive connection to a mock: ``call(method, path, body)`` -> (status,
    JSON). Transport errors propagate (a killed server)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=REQUEST_SECONDS
        )

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        headers = {"X-TFA-API-Key": KEY}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        return response.status, json.loads(response.read())

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        status, document = self.call(method, path, body)
        assert status == 200, (method, path, document)
        return document

    def close(self) -> None:
        self.conn.close()


def register(http_: Http, n: int) -> int:
    document = http_.ok(
        "POST",
        "/protected/json/users/new",
        {
            "user": {
                "email": f"user{n}@example.com",
                "cellphone": f"201555{n:04d}",
                "country_code": 1,
            }
        },
    )
    return int(document["user"]["id"])


def approval(http_: Http, user_id: int, message: str) -> str:
    document = http_.ok(
        "POST",
        f"/onetouch/json/users/{user_id}/approval_requests",
        {"message": message, "details": {"Amount": "3 €"}},
    )
    return str(document["approval_request"]["uuid"])


# -- in process: a clean restart ----------------------------------------------------


def _first_half(http_: Http) -> None:
    """Writes of every kind before the restart (the clock frozen at NOW)."""
    http_.ok("POST", "/_mock/clock", {"freeze": True})
    http_.ok("POST", "/_mock/clock", {"set": NOW})
    http_.ok("PATCH", "/_mock/apps/1", {"name": "Durable", "limits": {"sends": None}})
    http_.ok("POST", "/_mock/apps", {"name": "Second"})
    ana, bo = register(http_, 1), register(http_, 2)
    http_.ok("GET", f"/protected/json/sms/{ana}?force=true")
    http_.ok("GET", f"/protected/json/call/{bo}?force=true")
    http_.ok("POST", f"/_mock/users/{bo}/devices", {"kind": "iphone"})
    uuid = approval(http_, ana, "Log in?")
    approval(http_, bo, "Pay?")
    http_.ok("POST", f"/_mock/approval_requests/{uuid}/approve")
    http_.ok(
        "POST",
        "/protected/json/phones/verification/start",
        {"via": "sms", "country_code": 1, "phone_number": "2015550199"},
    )
    http_.ok("POST", "/_mock/faults", {"endpoint": "sms", "times": 3})
    http_.ok("POST", "/_mock/clock", {"advance": 42})
    status, _ = http_.call("GET", "/protected/json/verify/0000000/1000?force=true")
    assert status == 401  # an error that changes state too (journal, failures)


def _second_half(http_: Http) -> dict[str, Any]:
    """Writes after the restart; the ids and random values they produce."""
    user = register(http_, 3)
    uuid = approval(http_, user, "Again?")
    http_.ok("GET", f"/protected/json/sms/{user}?force=true")
    code = http_.ok("GET", f"/_mock/inbox/latest?user_id={user}")["code"]
    device = http_.ok("POST", f"/_mock/users/{user}/devices")["devices"][0]
    return {"user": user, "uuid": uuid, "code": code, "device": device}


def _serve(path: Path | None, *, seed: int = 5) -> MockServer:
    config = MockConfig(
        port=0,
        seed=seed,
        api_key=KEY,
        state_path=str(path) if path is not None else None,
    )
    return MockServer(config).start()


def _stop(server: MockServer) -> None:
    server.stop()
    persist.close(server.app)


def test_restart_restores_exact_state_and_ids_continue(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    server = _serve(path)
    http_ = Http(server.port)
    _first_half(http_)
    # Not through the control API: that request would save again (persist.py).
    before = server.backend.export_snapshot()
    http_.close()
    _stop(server)

    # Other start-up options do not matter: the file's state wins.
    restarted = _serve(path, seed=99)
    http_ = Http(restarted.port)
    assert http_.ok("GET", "/_mock/snapshot") == before
    journal = http_.ok("GET", "/_mock/requests")["requests"]
    assert journal[-1]["path"] == "/protected/json/verify/0000000/1000"
    assert journal[-1]["status"] == 401  # the last request's entry was saved too
    after_restart = _second_half(http_)
    http_.close()
    _stop(restarted)

    # The same requests on a server that never restarted give the same values.
    reference = _serve(None)
    http_ = Http(reference.port)
    _first_half(http_)
    assert _second_half(http_) == after_restart
    assert after_restart["user"] == 1002
    http_.close()
    reference.stop()


def test_reset_is_durable(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    server = _serve(path)
    http_ = Http(server.port)
    register(http_, 1)
    http_.ok("POST", "/_mock/reset")
    http_.close()
    _stop(server)
    restarted = _serve(path)
    http_ = Http(restarted.port)
    assert http_.call("GET", "/_mock/users/1000")[0] == 404
    assert register(http_, 1) == 1000  # counters restarted by the reset
    http_.close()
    _stop(restarted)


# -- unusable files: errors, never a fresh start ------------------------------------


def _saved_file(path: Path) -> None:
    backend = Backend(seed=1, api_key=KEY)
    backend.register_user(
        1,
        email="a@example.com",
        cellphone="2015550100",
        country_code=1,
        send_install_link=True,
    )
    store = StateStore(str(path))
    persist.Tracker(backend, store).save()
    store.close()


def test_a_file_in_use_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = StateStore(str(path))
    with pytest.raises(StateError, match="in use by another process"):
        StateStore(str(path))
    first.close()
    StateStore(str(path)).close()  # free again once closed


def test_a_file_of_another_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    _saved_file(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=2")
    db.close()
    with pytest.raises(StateError, match="schema version 1 \\(found version 2\\)"):
        StateStore(str(path))


def test_records_that_do_not_restore_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    _saved_file(path)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE items SET body = '[1000, {}]' WHERE part = 'users'")
    db.close()
    app_backend = Backend(api_key=KEY)
    with pytest.raises(StateError, match="holds no state this version"):
        persist.install(Flask(__name__), app_backend, str(path))
    StateStore(str(path)).close()  # the failed install let the file go


def test_records_without_header_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    _saved_file(path)
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM meta")
    db.close()
    store = StateStore(str(path))
    with pytest.raises(StateError, match="without a snapshot header"):
        store.load(real_now=0.0)
    store.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database, " * 64, "damaged or not a tfa-mock state file"),
        (None, "not a tfa-mock state file of schema version 1"),
    ],
)
def test_cli_refuses_an_unusable_file(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "state.db"
    if content is None:  # some other application's SQLite file
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE notes (text TEXT)")
        db.commit()
        db.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    done = subprocess.run(
        [*SERVE, "--state", str(path)],
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        check=False,
    )
    assert done.returncode == 2
    assert f"tfa-mock: --state {path}: {message}" in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before  # untouched: no silent reset


def test_a_failed_save_is_no_success(tmp_path: Path) -> None:
    server = _serve(tmp_path / "state.db")
    http_ = Http(server.port)
    register(http_, 1)
    tracker = server.app.extensions[persist.EXTENSION]
    tracker.store.close()  # every write now fails
    status, document = http_.call("GET", "/protected/json/app/details")
    assert (status, document["message"]) == (500, "State could not be saved")
    http_.close()
    server.stop()
