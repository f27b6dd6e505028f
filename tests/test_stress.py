"""Stress (issue 8): eight keep-alive clients race each other on the threaded server.

Pairs of client threads meet at barriers and then send the same verify twice at
once, and approve and deny the same request at once; a ninth thread keeps reading
the control API and the page's data. Afterwards: no 5xx anywhere, every SMS code
verified exactly once, every approval request decided exactly once with exactly
one signed callback carrying the winning decision, and the statistics equal the
journal's counts. Waiting is on barriers, futures and the receiver's queue, never
on sleeps. The clock is frozen, so nothing here depends on timing but the races.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.receiver import Receiver, running_receiver
from tests.support.wait import wait_until
from tfa_core import signature
from tfa_mock.backend import Backend
from tfa_mock.backend.records import LIMIT_KEYS
from tfa_mock.clock import MockClock
from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer

NOW = 1700000000.0
API_KEY = "stress_api_key_0123456789abcdefgh"
PAIRS = 4  # 8 client threads
ROUNDS = 25  # about eleven requests per thread and round: 2,200 in all
TIMEOUT = 60.0  # real seconds any one wait may take before the test fails

Json = dict[str, Any]


@dataclass
class Tally:
    """What the client threads saw (each thread keeps its own; summed at the end)."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    verify_answers: dict[str, list[tuple[int, str | None]]] = field(
        default_factory=dict
    )  # "user:code" -> (status, error_code) of each verify, in order
    decisions: dict[str, list[tuple[str, int, str | None]]] = field(
        default_factory=dict
    )  # uuid -> (action, status, error_code) of approve and deny
    created_users: int = 0
    deleted_users: int = 0
    sms_sent: int = 0
    calls_made: int = 0


class Client:
    """One keep-alive connection that counts and records every answer."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.tally = tally

    def send(
        self, method: str, path: str, body: Json | None = None
    ) -> tuple[int, bytes]:
        headers = {"X-TFA-API-Key": API_KEY}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        self.tally.requests += 1
        self.tally.statuses[response.status] += 1
        return response.status, raw

    def json(
        self, method: str, path: str, body: Json | None = None, expect: int = 200
    ) -> Json:
        status, raw = self.send(method, path, body)
        assert status == expect, (method, path, status, raw)
        found: Json = json.loads(raw)
        return found

    def close(self) -> None:
        self.conn.close()


@dataclass
class Pair:
    """Two client threads that race each other: a barrier and what they share."""

    barrier: threading.Barrier = field(
        default_factory=lambda: threading.Barrier(2, timeout=TIMEOUT)
    )
    posted: list[tuple[int, str, str]] = field(
        default_factory=lambda: [(0, "", ""), (0, "", "")]
    )  # per side: (user id, SMS code, approval request uuid) of this round


@pytest.fixture
def server() -> Iterator[MockServer]:
    backend = Backend(seed=7, api_key=API_KEY)
    backend.clock.freeze()
    backend.clock.set(NOW)
    with backend.lock:  # the race is the subject here, not the limits (§6)
        backend.apps[1].limits = dict.fromkeys(LIMIT_KEYS)
    with MockServer(MockConfig(port=0, api_key=API_KEY), backend=backend) as mock:
        yield mock


def _round(client: Client, pair: Pair, side: int, thread: int, n: int) -> None:
    tally = client.tally
    fmt = "xml" if n % 2 else "json"
    cellphone = f"201-555-{thread:02d}{n:02d}"
    user = {"email": f"u{thread}.{n}@example.com", "cellphone": cellphone}
    created = client.json(
        "POST",
        "/protected/json/users/new",
        {"user": {**user, "country_code": 1}, "send_install_link_via_sms": False},
    )
    user_id = int(created["user"]["id"])
    tally.created_users += 1

    status, raw = client.send("GET", f"/protected/{fmt}/sms/{user_id}?force=true")
    assert status == 200, raw
    tally.sms_sent += 1
    if n % 2 == 0:
        client.json("GET", f"/protected/json/call/{user_id}?force=true")
        tally.calls_made += 1
    message = client.json("GET", f"/_mock/inbox/latest?user_id={user_id}&channel=sms")
    code = str(message["code"])
    uuid = client.json(
        "POST",
        f"/onetouch/json/users/{user_id}/approval_requests",
        {"message": f"Login {thread}.{n}", "details": {"round": str(n)}},
    )["approval_request"]["uuid"]

    pair.posted[side] = (user_id, code, uuid)
    pair.barrier.wait()
    mine, theirs = pair.posted[side], pair.posted[1 - side]
    first, second = (mine, theirs) if side == 0 else (theirs, mine)

    # Both threads verify the first side's code at once, then the second's: one
    # of each two answers 200, the other 401/60019 (API.md §3.11 step 7).
    for uid, the_code, _ in (first, second):
        _verify(client, uid, the_code)

    # Both threads decide the first side's request at once (one approves, the
    # other denies), then the second's with the roles swapped.
    pair.barrier.wait()
    for index, (_, _, the_uuid) in enumerate((first, second)):
        approves = (side + index + n) % 2 == 0
        action = "approve" if approves else "deny"
        status, raw = client.send(
            "POST", f"/_mock/approval_requests/{the_uuid}/{action}"
        )
        error = None if status == 200 else json.loads(raw).get("error_code")
        tally.decisions.setdefault(the_uuid, []).append((action, status, error))

    _verify(client, user_id, code)  # a third time, alone: still used (60019)
    status, raw = client.send("GET", f"/protected/xml/users/{user_id}/status")
    assert status == 200 and b"<success" in raw, raw
    if n % 5 == 0:
        client.json("GET", "/protected/json/app/stats")
    if n % 3 == 0:
        client.json("POST", f"/protected/json/users/{user_id}/delete", {})
        tally.deleted_users += 1


def _verify(client: Client, user_id: int, code: str) -> None:
    status, raw = client.send(
        "GET", f"/protected/json/verify/{code}/{user_id}?force=true"
    )
    error = None if status == 200 else json.loads(raw).get("error_code")
    client.tally.verify_answers.setdefault(f"{user_id}:{code}", []).append(
        (status, error)
    )


def _racer(port: int, pair: Pair, side: int, thread: int) -> Tally:
    tally = Tally()
    client = Client(port, tally)
    try:
        for n in range(ROUNDS):
            _round(client, pair, side, thread, n)
    except BaseException:
        pair.barrier.abort()  # the partner fails fast instead of timing out
        raise
    finally:
        client.close()
    return tally


def _reader(port: int, done: threading.Event) -> Tally:
    """Control-API and page reads while the racers run (all under the lock)."""
    tally = Tally()
    client = Client(port, tally)
    paths = [
        "/_mock/inbox",
        "/_mock/requests?path=/protected/json/verify/",
        "/_mock/approval_requests?status=pending",
        "/_mock/callbacks",
        "/_mock/page",
    ]
    try:
        n = 0
        while not done.is_set() or n < len(paths):
            client.json("GET", paths[n % len(paths)])
            n += 1
    finally:
        client.close()
    return tally


def _merge(tallies: list[Tally]) -> Tally:
    total = Tally()
    for one in tallies:
        total.requests += one.requests
        total.statuses.update(one.statuses)
        total.created_users += one.created_users
        total.deleted_users += one.deleted_users
        total.sms_sent += one.sms_sent
        total.calls_made += one.calls_made
        for key, answers in one.verify_answers.items():
            total.verify_answers.setdefault(key, []).extend(answers)
        for uuid, decided in one.decisions.items():
            total.decisions.setdefault(uuid, []).extend(decided)
    return total


def _callbacks(receiver: Receiver, count: int) -> list[Json]:
    """The next *count* callbacks, each verified against the app's key."""
    bodies = []
    for _ in range(count):
        got = receiver.next(timeout=TIMEOUT)
        assert signature.verify(API_KEY, got.headers, "POST", receiver.url, got.body)
        bodies.append(json.loads(got.body))
    return bodies


@pytest.mark.slow
def test_racing_clients(server: MockServer) -> None:
    backend = server.backend
    with running_receiver() as receiver:
        with backend.lock:
            backend.apps[1].callback_url = receiver.url
        pairs = [Pair() for _ in range(PAIRS)]
        done = threading.Event()
        with ThreadPoolExecutor(max_workers=2 * PAIRS + 1) as pool:
            reader = pool.submit(_reader, server.port, done)
            racers = [
                pool.submit(_racer, server.port, pairs[t // 2], t % 2, t)
                for t in range(2 * PAIRS)
            ]
            try:
                tallies = [future.result(timeout=4 * TIMEOUT) for future in racers]
            finally:
                done.set()
            tallies.append(reader.result(timeout=TIMEOUT))
        seen = _merge(tallies)

        # Exactly one decision won each race; exactly one callback says which.
        assert len(seen.decisions) == 2 * PAIRS * ROUNDS
        winners: dict[str, str] = {}
        for uuid, decided in seen.decisions.items():
            outcomes = sorted((status, error) for _, status, error in decided)
            assert outcomes == [(200, None), (409, "60079")], (uuid, decided)
            [winner] = [action for action, status, _ in decided if status == 200]
            winners[uuid] = "approved" if winner == "approve" else "denied"
        bodies = _callbacks(receiver, len(winners))
        wait_until(
            backend,
            lambda: all(d["status"] == "delivered" for d in backend.list_deliveries()),
            TIMEOUT,
            what="every callback delivered",
        )
        assert receiver.received.empty(), "a callback arrived twice"
    assert Counter(b["uuid"] for b in bodies) == Counter(list(winners))
    assert {b["uuid"]: b["status"] for b in bodies} == winners
    assert len(backend.list_deliveries()) == len(winners)
    # Both decisions won races (the roles alternate between the two threads).
    assert set(winners.values()) == {"approved", "denied"}

    # Every SMS code verified exactly once: 200 once, then 401/60019 twice.
    assert len(seen.verify_answers) == seen.sms_sent == 2 * PAIRS * ROUNDS
    for key, answers in seen.verify_answers.items():
        assert sorted(answers, key=str) == [
            (200, None),
            (401, "60019"),
            (401, "60019"),
        ], key

    assert seen.requests >= 2000
    assert not [s for s in seen.statuses if s >= 500], seen.statuses

    # The statistics equal the journal's counts, and the journal saw no 5xx.
    client = Client(server.port, Tally())
    try:
        stats = client.json("GET", "/protected/json/app/stats")
        journal = client.json("GET", "/_mock/requests?app_id=1")["requests"]
        inbox = client.json("GET", "/_mock/inbox?channel=sms")["messages"]
    finally:
        client.close()
    month = stats["stats"][-1]

    def journaled(part: str, status: int = 200) -> int:
        return sum(1 for e in journal if part in e["path"] and e["status"] == status)

    assert month["api_calls_count"] == len(journal)
    assert month["users_count"] == journaled("/users/new") == seen.created_users
    assert month["sms_count"] == journaled("/sms/") == len(inbox) == seen.sms_sent
    assert month["calls_count"] == journaled("/call/") == seen.calls_made
    assert month["auths_count"] == journaled("/verify/") == seen.sms_sent
    assert journaled("/verify/", 401) == 2 * seen.sms_sent
    assert stats["total_users"] == seen.created_users - seen.deleted_users
    assert not [e for e in journal if e["status"] >= 500]


# -- the two races found while writing the above, each made to happen at once -----


def test_a_restore_to_running_never_shows_a_stale_offset() -> None:
    """MockClock.now reads without the lock; mid-restore it must show the old or
    the new time, never real time plus a stale offset."""
    clock = MockClock(real=lambda: 1000.0)
    clock.freeze()
    clock.set(5e8)
    seen: list[float] = []

    def real() -> float:
        if not seen:
            seen.append(-1.0)  # guards the nested call below
            seen[0] = clock.now()  # what a reader sees while restore reads real time
        return 1000.0

    clock._real = real
    clock.restore({"now": 1e9, "frozen": False})
    assert seen[0] in (5e8, 1e9)
    assert clock.now() == 1e9


class _Wakeable:
    woken = 0

    def wake(self) -> None:
        self.woken += 1


class _ClosingBackend(Backend):
    """A backend whose worker is closed by another thread right after it is read."""

    reads = 0
    the_worker = _Wakeable()

    @property  # type: ignore[override]
    def _worker(self) -> _Wakeable | None:
        self.reads += 1
        return self.the_worker if self.reads == 1 else None

    @_worker.setter
    def _worker(self, value: object) -> None:
        return


def test_a_clock_change_while_the_worker_closes_does_not_raise() -> None:
    backend = _ClosingBackend(seed=7)
    backend.clock.advance(1)  # _on_clock_change: read the worker once, wake it
    assert backend.the_worker.woken == 1
