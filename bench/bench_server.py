"""Benchmark: the mock's verify and sms endpoints against a trivial Flask endpoint.

Both run on the same stack, the mock's server (``PooledWSGIServer``: werkzeug's
request handling, a reused thread per connection, ``QuietHandler``), in a
background thread of this process; the same clients drive each target, the rounds
of all targets interleaved so that a burst of load on the machine hits them alike.
werkzeug answers every request with ``Connection: close``, so each request is a
new connection (``http.client`` reconnects). Goal (issue 4): our endpoints reach at
least 0.7x the trivial endpoint's requests per second. Prints requests/s, the
ratio, and p50/p99 latencies.

The trivial endpoint used to run on werkzeug's ``ThreadedWSGIServer``, which
starts a thread per connection, hence per request: since MockServer reuses its
threads, that compared two stacks rather than two endpoints.

Run: ``python bench/bench_server.py`` (``make bench`` runs it).
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, jsonify

from tfa_core import otp
from tfa_mock.backend import Backend
from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer, PooledWSGIServer, QuietHandler

KEY = "bench_api_key_0123456789abcdefghij"
CLIENTS = 4
REQUESTS_PER_CLIENT = 400
ROUNDS = 3

PathFor = Callable[[int], str]


def _drive(port: int, path_for: PathFor, headers: dict[str, str]) -> list[float]:
    """CLIENTS client threads, each sending REQUESTS_PER_CLIENT requests."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(10**9))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        for _ in range(REQUESTS_PER_CLIENT):
            with lock:
                n = next(counter)
                path = path_for(n)
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """What one measured endpoint needs: where, which paths, what before a round."""

    port: int
    path_for: PathFor
    headers: dict[str, str]
    before_round: Callable[[], None] = lambda: None


def _measure(targets: dict[str, Target]) -> dict[str, tuple[float, list[float]]]:
    """The best round's rate and latencies of each target, rounds interleaved."""
    best: dict[str, tuple[float, list[float]]] = dict.fromkeys(targets, (0.0, []))
    for _ in range(ROUNDS):
        for name, target in targets.items():
            target.before_round()
            start = time.perf_counter()
            latencies = _drive(target.port, target.path_for, target.headers)
            rate = len(latencies) / (time.perf_counter() - start)
            if rate > best[name][0]:
                best[name] = (rate, latencies)
    return best


def _pct(latencies: list[float], q: int) -> float:
    return statistics.quantiles(latencies, n=100)[q - 1] * 1000


def _register_users(backend: Backend, count: int) -> list[int]:
    """*count* users with an installed device (setup, not timed)."""
    users: list[int] = []
    n = 0
    while len(users) < count:
        n += 1
        try:
            uid = backend.register_user(
                1,
                email=f"user{n}@example.com",
                cellphone=f"201-55{n // 10000 % 10}-{n % 10000:04d}",
                country_code=1,
                send_install_link=False,
            )
        except Exception:  # noqa: S112 - an invalid number is skipped
            continue
        backend.install_device(uid, "android")
        users.append(uid)
    return users


def main() -> None:
    trivial = Flask("trivial")

    @trivial.get("/trivial")
    def trivial_view() -> object:
        return jsonify({"ok": True})

    backend = Backend(seed=1, api_key=KEY)
    backend.clock.freeze()
    backend.clock.set(1_700_000_000)
    with backend.lock:
        backend.apps[1].limits = {key: None for key in backend.apps[1].limits}

    plain = PooledWSGIServer("127.0.0.1", 0, trivial, QuietHandler)
    threading.Thread(
        target=plain.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    with MockServer(MockConfig(port=0, api_key=KEY), backend=backend) as mock:
        auth = {"X-TFA-API-Key": KEY}
        # One user per verify request of a round, so that every request presents a
        # fresh device code (a step once accepted is refused, API.md §5.2) whatever
        # order the concurrent clients' requests arrive in.
        users = _register_users(backend, CLIENTS * REQUESTS_PER_CLIENT)
        keys = [backend.users[uid].key for uid in users]

        def verify_path(n: int) -> str:
            i = n % len(users)
            code = otp.totp(keys[i], now=backend.now(), step=10, digits=7)
            return f"/protected/json/verify/{code}/{users[i]}?force=true"

        def next_step() -> None:
            backend.clock.advance(10)

        def sms_path(user_id: int) -> str:
            return f"/protected/json/sms/{user_id}?force=true"

        rates = _measure(
            {
                "trivial": Target(
                    port=plain.server_port, path_for=lambda n: "/trivial", headers={}
                ),
                "verify": Target(
                    port=mock.port,
                    path_for=verify_path,
                    headers=auth,
                    before_round=next_step,
                ),
                "sms": Target(
                    port=mock.port,
                    path_for=lambda n: sms_path(users[n % len(users)]),
                    headers=auth,
                ),
            }
        )
    plain.shutdown()
    plain.server_close()

    base = rates["trivial"][0]
    print(f"clients={CLIENTS} requests/client={REQUESTS_PER_CLIENT} best of {ROUNDS}")
    for name, (rate, latencies) in rates.items():
        ratio = rate / base
        goal = "" if name == "trivial" else f" ({ratio:.2f}x trivial, goal >= 0.7x)"
        print(
            f"{name:8s} {rate:8.0f} req/s  p50 {_pct(latencies, 50):6.2f} ms  "
            f"p99 {_pct(latencies, 99):6.2f} ms{goal}"
        )


if __name__ == "__main__":
    main()
