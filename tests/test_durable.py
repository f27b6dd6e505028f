"""Durable state (issue 8): ``tfa-mock serve --state FILE`` keeps everything across
restarts and crashes.

In process: a restart on the same file restores the exact state and ids continue as
if no restart happened; the rows written incrementally always load back to what
``export_snapshot`` shows; unusable files are errors, never a fresh start. As
subprocesses: a server killed with SIGKILL while clients write as fast as they can
restarts without repair and still has every write that was answered 2xx.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from flask import Flask

from tfa_mock import persist
from tfa_mock.backend import Backend
from tfa_mock.backend.onetouch import ApprovalFields
from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer
from tfa_mock.store import Changes, StateError, StateStore
from tfa_mock.wire.errors import ApiError

KEY = "durable_key_0123456789abcdefghijk"
NOW = 1700000000.0
STARTUP_SECONDS = 60  # bounds on waiting for events, not timings
REQUEST_SECONDS = 30
_SERVE = [sys.executable, "-m", "tfa_mock", "serve", "--port", "0"]


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


def _register(http_: Http, n: int) -> int:
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


def _approval(http_: Http, user_id: int, message: str) -> str:
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
    ana, bo = _register(http_, 1), _register(http_, 2)
    http_.ok("GET", f"/protected/json/sms/{ana}?force=true")
    http_.ok("GET", f"/protected/json/call/{bo}?force=true")
    http_.ok("POST", f"/_mock/users/{bo}/devices", {"kind": "iphone"})
    uuid = _approval(http_, ana, "Log in?")
    _approval(http_, bo, "Pay?")
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
    user = _register(http_, 3)
    uuid = _approval(http_, user, "Again?")
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
    _register(http_, 1)
    http_.ok("POST", "/_mock/reset")
    http_.close()
    _stop(server)
    restarted = _serve(path)
    http_ = Http(restarted.port)
    assert http_.call("GET", "/_mock/users/1000")[0] == 404
    assert _register(http_, 1) == 1000  # counters restarted by the reset
    http_.close()
    _stop(restarted)


# -- in process: the rows always load back to the state --------------------------


@dataclass
class _Ops:
    """Random backend operations of every kind, on a backend with small caps."""

    backend: Backend
    rng: random.Random
    phones: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    earlier: list[dict[str, Any]] = field(default_factory=list)

    def _user(self) -> int | None:
        users = list(self.backend.users)
        return self.rng.choice(users) if users else None

    def _approval(self) -> str | None:
        uuids = list(self.backend.approvals)
        return self.rng.choice(uuids) if uuids else None

    def step(self) -> None:
        b, rng = self.backend, self.rng
        user, uuid = self._user(), self._approval()
        apps = list(b.apps)
        moves: list[Callable[[], object]] = [
            lambda: b.register_user(
                rng.choice(apps),
                email=f"x{rng.randrange(9)}@example.com",
                cellphone=f"201555{rng.choice([next(self.phones), 1]):04d}",
                country_code=1,
                send_install_link=rng.random() < 0.5,
            ),
            lambda: b.send_token(
                1,
                user,
                channel=rng.choice(["sms", "voice"]),
                force=True,
                action=None,
                action_message=None,
            ),
            lambda: b.verify_token(1, user, "0000000", force=True, action=None),
            lambda: b.create_approval(1, user, lambda: ApprovalFields(message="m")),
            lambda: b.approve(uuid or "none"),
            lambda: b.deny(uuid or "none"),
            lambda: b.remove_user(1, user),
            lambda: b.install_device(user or 0, rng.choice(["android", "iphone"])),
            lambda: b.remove_device(user or 0),
            lambda: b.add_fault({"endpoint": "sms", "times": 2}),
            lambda: b.take_fault("sms", lambda: None),
            lambda: b.patch_app(1, {"limits": {"sends": {"max": 50, "window": 60}}}),
            lambda: b.new_app({"name": f"App {rng.randrange(99)}"}),
            lambda: b.reset_app(rng.choice(apps)),
            lambda: b.clear_inbox(),
            lambda: b.clear_journal(),
            lambda: b.start_verification(
                1, via="sms", country_code=1, phone_number="2015550177"
            ),
            lambda: b.record_request(
                method="GET",
                path="/protected/json/app/details",
                app_id=1,
                status=200,
                error_code=None,
                duration_ms=1,
            ),
            lambda: b.clock.advance(rng.choice([1, 700])),
            lambda: self.earlier.append(b.export_snapshot()),
            lambda: b.restore_snapshot(rng.choice(self.earlier or [{}])),
            self._reset_all,
        ]
        with contextlib.suppress(ApiError):  # refused operations belong to the mix
            rng.choice(moves)()

    def _reset_all(self) -> None:
        self.backend.reset_all()
        self.backend.clock.freeze()
        self.backend.clock.set(NOW)


@pytest.mark.parametrize("seed", range(4))
def test_incremental_rows_load_back_to_the_state(tmp_path: Path, seed: int) -> None:
    backend = Backend(
        seed=seed, api_key=KEY, max_messages=6, max_journal=4, max_deliveries=3
    )
    backend.clock.freeze()
    backend.clock.set(NOW)
    backend.patch_app(1, {"callback_url": "http://127.0.0.1:9/callback"})
    store = StateStore(str(tmp_path / "state.db"))
    tracker = persist.Tracker(backend, store)
    ops = _Ops(backend, random.Random(seed))
    try:
        for _ in range(250):
            ops.step()
            # Under the lock: the delivery worker must not move between the two.
            with backend.lock:
                tracker.save()
                assert store.load() == backend.export_snapshot()
    finally:
        backend.close()
        store.close()


def test_a_record_changed_in_place_is_saved(tmp_path: Path) -> None:
    backend = Backend(seed=1, api_key=KEY)
    store = StateStore(str(tmp_path / "state.db"))
    tracker = persist.Tracker(backend, store)
    uid = backend.register_user(
        1,
        email="a@example.com",
        cellphone="2015550100",
        country_code=1,
        send_install_link=False,
    )
    tracker.save()
    # Not through an operation: the same object, a field changed (a lone surrogate
    # must not break the file's UTF-8 either).
    backend.users[uid].email = "b\ud800@example.com"
    tracker.save()
    saved = store.load()
    store.close()
    assert saved is not None
    users = {uid: user for uid, user in saved["users"]}
    assert users[uid]["email"] == "b\ud800@example.com"


class RecordingStore(StateStore):
    """A store that keeps every Changes it is asked to write."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.written: list[Changes] = []

    def write(self, changes: Changes) -> None:
        self.written.append(changes)
        super().write(changes)


def test_saves_write_only_changed_records(tmp_path: Path) -> None:
    backend = Backend(seed=1, api_key=KEY)
    backend.clock.freeze()
    store = RecordingStore(str(tmp_path / "state.db"))
    tracker = persist.Tracker(backend, store)
    for n in range(20):
        backend.register_user(
            1,
            email="a@example.com",
            cellphone=f"20155501{n:02d}",
            country_code=1,
            send_install_link=False,
        )
    tracker.save()
    store.written.clear()
    tracker.save()
    backend.users[1005].confirmed = True
    tracker.save()
    store.close()
    first, second = store.written
    assert not first  # nothing changed: no transaction at all
    assert [(part, seq) for part, seq, _ in second.upserts] == [("users", 5)]
    assert not second.deletes and not second.meta


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
        store.load()
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
        [*_SERVE, "--state", str(path)],
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
    _register(http_, 1)
    tracker = server.app.extensions[persist.EXTENSION]
    tracker.store.close()  # every write now fails
    status, document = http_.call("GET", "/protected/json/app/details")
    assert (status, document["message"]) == (500, "State could not be saved")
    http_.close()
    server.stop()


# -- subprocesses: SIGKILL while writing --------------------------------------------


@dataclass
class Served:
    """A ``tfa-mock serve --state`` subprocess."""

    proc: subprocess.Popen[str]
    port: int
    pump: threading.Thread

    def kill(self) -> None:
        """SIGKILL (when still running), then reap the process and its pipe."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=STARTUP_SECONDS)
        self.pump.join(timeout=STARTUP_SECONDS)  # at the end of its output
        assert self.proc.stdout is not None
        self.proc.stdout.close()


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _start(state: Path, log: IO[str]) -> Served:
    proc = subprocess.Popen(
        [*_SERVE, "--api-key", KEY, "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    pump = threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True)
    pump.start()
    served = Served(proc=proc, port=0, pump=pump)
    port = None
    while port is None:
        try:
            line = lines.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            served.kill()
            pytest.fail("no banner")
        found = re.search(r"web inbox:\s+http://127\.0\.0\.1:(\d+)/", line)
        port = int(found.group(1)) if found else None
    for _ in range(200):  # bounded attempts, no sleeping
        try:
            http_ = Http(port)
            if http_.call("GET", "/_mock/health")[0] == 200:
                http_.close()
                served.port = port
                return served
        except OSError:
            if proc.poll() is not None:
                served.kill()
                pytest.fail(f"server exited with {proc.returncode}")
    served.kill()
    pytest.fail("server never healthy")


@dataclass
class Acked:
    """Every write answered 2xx, as the clients saw it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: int = 0
    users: dict[int, tuple[str, str]] = field(default_factory=dict)
    sms: dict[int, int] = field(default_factory=dict)  # user id -> sms sent
    codes: dict[int, tuple[int, str]] = field(default_factory=dict)  # message id
    approvals: dict[str, str] = field(default_factory=dict)  # uuid -> status


class Writer(threading.Thread):
    """Writes at full speed until the server goes away; records what was acked."""

    def __init__(
        self,
        port: int,
        acked: Acked,
        phones: Iterator[int],
        rng: random.Random,
        counted: threading.Condition,
    ) -> None:
        super().__init__(daemon=True)
        self.http = Http(port)
        self.acked, self.phones, self.rng, self.counted = acked, phones, rng, counted
        self.users: list[int] = []
        self.pending: list[str] = []  # this writer's undecided approval requests

    def run(self) -> None:
        try:
            while True:
                self._write()
                with self.counted:
                    self.acked.writes += 1
                    self.counted.notify_all()
        except (OSError, http.client.HTTPException):
            pass  # killed: the request in flight is neither acked nor recorded
        finally:
            self.http.close()

    def _write(self) -> None:
        acked, pick = self.acked, self.rng.random()
        if not self.users or pick < 0.3:
            with acked.lock:
                n = next(self.phones)
            uid = _register(self.http, n)
            with acked.lock:
                acked.users[uid] = (f"+1201555{n:04d}", f"user{n}@example.com")
            self.users.append(uid)
        elif pick < 0.55:
            uid = self.rng.choice(self.users)
            self.http.ok("GET", f"/protected/json/sms/{uid}?force=true")
            with acked.lock:
                acked.sms[uid] = acked.sms.get(uid, 0) + 1
            message = self.http.ok(
                "GET", f"/_mock/inbox/latest?user_id={uid}&channel=sms"
            )
            with acked.lock:
                acked.codes[message["id"]] = (uid, message["code"])
        elif pick < 0.8 or not self.pending:
            uuid = _approval(self.http, self.rng.choice(self.users), "Crash?")
            with acked.lock:
                acked.approvals[uuid] = "pending"
            self.pending.append(uuid)
        else:
            uuid = self.pending.pop(self.rng.randrange(len(self.pending)))
            verb = self.rng.choice(["approve", "deny"])
            self.http.ok("POST", f"/_mock/approval_requests/{uuid}/{verb}")
            with acked.lock:
                acked.approvals[uuid] = "approved" if verb == "approve" else "denied"


def _write_then_kill(
    served: Served, acked: Acked, phones: Iterator[int], rng: random.Random
) -> None:
    """Two writers at full speed; SIGKILL once a random number of writes is acked,
    so the kill lands wherever the writers are in their next requests."""
    counted = threading.Condition()
    kill_at = acked.writes + rng.randint(5, 80)
    writers = [
        Writer(served.port, acked, phones, random.Random(rng.random()), counted)
        for _ in range(2)
    ]
    for writer in writers:
        writer.start()
    with counted:
        assert counted.wait_for(
            lambda: acked.writes >= kill_at, timeout=STARTUP_SECONDS
        ), "writers stalled"
    served.kill()
    for writer in writers:
        writer.join(timeout=STARTUP_SECONDS)
        assert not writer.is_alive()
    assert served.proc.returncode == -signal.SIGKILL


def _check(served: Served, acked: Acked, phones: Iterator[int]) -> None:
    """Every acked write is there, consistent, and the counters continue."""
    http_ = Http(served.port)
    for uid, (phone, email) in acked.users.items():
        user = http_.ok("GET", f"/_mock/users/{uid}")
        assert (user["phone"], user["email"]) == (phone, email)
    messages = http_.ok("GET", "/_mock/inbox?channel=sms")["messages"]
    by_id = {m["id"]: m for m in messages}
    for message_id, (uid, code) in acked.codes.items():
        assert (by_id[message_id]["user_id"], by_id[message_id]["code"]) == (uid, code)
    for uid, sent in acked.sms.items():
        tokens = [m for m in messages if m["user_id"] == uid and m["code"]]
        assert len(tokens) >= sent
    documents = http_.ok("GET", "/_mock/approval_requests")["approval_requests"]
    status = {d["uuid"]: d["status"] for d in documents}
    for uuid, acked_status in acked.approvals.items():
        if acked_status == "pending":  # a decision in flight may have landed
            assert status[uuid] in ("pending", "approved", "denied")
        else:
            assert status[uuid] == acked_status
    app = http_.ok("GET", "/_mock/apps")["apps"][0]
    assert app["limits"]["sends"] is None  # set before the first crash
    n = next(phones)
    fresh = _register(http_, n)
    assert fresh > max(acked.users)
    acked.users[fresh] = (f"+1201555{n:04d}", f"user{n}@example.com")
    http_.close()


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_sigkill_while_writing_loses_no_acked_write(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    state = tmp_path / "state.db"
    acked = Acked()
    phones = itertools.count(1)
    with (tmp_path / "server.log").open("w") as log:
        served = _start(state, log)
        try:
            http_ = Http(served.port)
            http_.ok("PATCH", "/_mock/apps/1", {"limits": {"sends": None}})
            http_.close()
            for _ in range(2):  # crash, recover, crash the recovered server again
                _write_then_kill(served, acked, phones, rng)
                served = _start(state, log)
                _check(served, acked, phones)
        finally:
            served.kill()
