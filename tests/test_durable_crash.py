"""Durable state (issue 8), as subprocesses: ``tfa-mock serve --state FILE`` killed
with SIGKILL while two clients write as fast as they can (register users, send SMS
codes, create and decide approval requests) restarts without repair and still has
every write that was answered 2xx, consistent, with counters that continue.
"""

from __future__ import annotations

import http.client
import itertools
import queue
import random
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

from tests.support.wait import wait_for, wait_until
from tests.test_durable import KEY, SERVE, STARTUP_SECONDS, Http, approval, register


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
        [*SERVE, "--api-key", KEY, "--state", str(state)],
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

    def healthy() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}")
        try:
            http_ = Http(port)
            try:
                return bool(http_.call("GET", "/_mock/health")[0] == 200)
            finally:
                http_.close()
        except OSError:
            return False

    try:
        wait_for(healthy, STARTUP_SECONDS, what="the server's first healthy answer")
    except BaseException:
        served.kill()
        raise
    served.port = port
    return served


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
            uid = register(self.http, n)
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
            uuid = approval(self.http, self.rng.choice(self.users), "Crash?")
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
    wait_until(
        counted,
        lambda: acked.writes >= kill_at,
        STARTUP_SECONDS,
        what=f"{kill_at} acked writes",
    )
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
    fresh = register(http_, n)
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
