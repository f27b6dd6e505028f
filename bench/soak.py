"""Soak (issue 8): the mock under load for a minute; memory stays flat thanks to caps.

The server runs in a child process (this script with ``--serve``), so that its
memory is its own and the client threads do not share its interpreter lock. N
client threads in this process send a mixed load as fast as the server
answers, for ``--seconds`` (default 60). The child reports its resident memory
and the sizes of its state every few seconds; at the end this prints the requests
served, the rate, the errors (a non-2xx other than expected, or a broken
connection) and the peak memory, with the resident memory at the start, after
10 seconds and at the end.

The load (per client, over a pool of ten users registered again and again, which
keeps the same ids): register, an SMS and every fourth round a call (force), the
code read from the inbox (control API), verify (200), user status, and now and
then statistics and application details. The clock runs and the app's
``sms_token_ttl`` is 5 seconds, so the codes a user keeps are those of the last 5
seconds. With ``--onetouch``, every fifth round also creates an approval request,
approves it and receives the signed callback on a loopback receiver: approval
requests have no cap (they stay readable, API.md §3.19), so their memory grows.

Caps are small by default (``--cap 2000``: inbox, journal and delivery log) so that
they are reached within seconds; the server's default is 10,000 each.

Run: ``python bench/soak.py [--seconds 60] [--clients 8] [--cap 2000]
[--onetouch]``; ``make soak`` runs it. Never part of ``make test``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any

KEY = "soak_api_key_0123456789abcdefghijk"
POOL = 10  # users per client
SAMPLE_SECONDS = 5.0
TIMEOUT = 30.0


# -- the server (child process) ------------------------------------------------------


def _rss_bytes() -> tuple[int, bool]:
    """Resident memory now, or (where /proc is missing) the peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE"), True
    except (OSError, ValueError, IndexError):
        return _peak_bytes(), False


def _peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes


def serve(cap: int) -> None:
    """Run a mock with caps *cap*; print ``PORT``, then a ``SAMPLE`` line every few
    seconds, until stdin says ``stop`` (or closes); then a last sample and ``PEAK``."""
    from tfa_mock.config import MockConfig
    from tfa_mock.server import MockServer

    config = MockConfig(
        port=0,
        api_key=KEY,
        max_messages=cap,
        max_journal=cap,
        max_deliveries=cap,
    )
    server = MockServer(config).start()
    backend = server.backend
    started = time.monotonic()
    out_lock = threading.Lock()

    def emit(line: str) -> None:
        with out_lock:
            print(line, flush=True)

    def sample() -> None:
        rss, current = _rss_bytes()
        with backend.lock:
            sizes = {
                "inbox": len(backend.messages),
                "journal": len(backend.journal),
                "deliveries": len(backend.deliveries),
                "approvals": len(backend.approvals),
                "users": len(backend.users),
                "codes": sum(len(c) for c in backend.codes.values()),
            }
        data = {
            "t": time.monotonic() - started,
            "rss": rss,
            "current": current,
            **sizes,
        }
        emit("SAMPLE " + json.dumps(data))

    stop = threading.Event()

    def sampler() -> None:
        while not stop.wait(SAMPLE_SECONDS):
            sample()

    emit(f"PORT {server.port}")
    sample()
    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    for line in sys.stdin:
        if line.strip() == "mark":  # the load starts now: a sample at t=0
            started = time.monotonic()
            sample()
        elif line.strip() == "stop":
            break
    stop.set()
    thread.join()
    sample()
    server.stop()
    emit(f"PEAK {_peak_bytes()}")


# -- the clients (this process) ------------------------------------------------------


@dataclass
class Tally:
    """One client thread's counts."""

    served: int = 0
    unexpected: Counter[str] = field(default_factory=Counter)
    broken: int = 0


class Client:
    """An HTTP connection that reconnects when the server closed it."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.port = port
        self.tally = tally
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, bytes]:
        headers = {"X-TFA-API-Key": KEY}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.tally.broken += 1
            self.conn.close()
            self.conn = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=TIMEOUT
            )
            return 0, b""
        self.tally.served += 1
        return response.status, raw

    def expect(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        status: int = 200,
    ) -> dict[str, Any] | None:
        """The JSON answer when it has *status*; else counts an error."""
        got, raw = self.call(method, path, body)
        if got == 0:
            return None
        if got != status:
            name = path.split("?")[0].rsplit("/", 2)[-2]
            self.tally.unexpected[f"{method} {name} -> {got}"] += 1
            return None
        if raw.startswith(b"{"):
            found: dict[str, Any] = json.loads(raw)
            return found
        return {}


def _client(
    port: int, index: int, onetouch: bool, stop: threading.Event, tally: Tally
) -> None:
    client = Client(port, tally)
    users: list[int] = []
    n = 0
    while not stop.is_set():
        slot = n % POOL
        registered = client.expect(
            "POST",
            "/protected/json/users/new",
            {
                "user": {
                    "email": f"c{index}.{slot}@example.com",
                    "cellphone": f"201-555-{index:02d}{slot:02d}",
                    "country_code": 1,
                },
                "send_install_link_via_sms": False,
            },
        )
        if registered is None:
            n += 1
            continue
        user_id = int(registered["user"]["id"])
        if len(users) < POOL:
            users.append(user_id)
        fmt = "xml" if n % 2 else "json"
        client.expect("GET", f"/protected/{fmt}/sms/{user_id}?force=true")
        if n % 4 == 0:
            client.expect("GET", f"/protected/json/call/{user_id}?force=true")
        latest = client.expect(
            "GET", f"/_mock/inbox/latest?user_id={user_id}&channel=sms"
        )
        if latest is not None:
            code = latest["code"]
            client.expect("GET", f"/protected/json/verify/{code}/{user_id}?force=true")
        client.expect("GET", f"/protected/json/users/{user_id}/status")
        if n % 8 == 0:
            client.expect("GET", "/protected/json/app/stats")
        if n % 16 == 0:
            client.expect("GET", "/protected/xml/app/details")
        if onetouch and n % 5 == 0:
            created = client.expect(
                "POST",
                f"/onetouch/json/users/{user_id}/approval_requests",
                {"message": "Soak login", "details": {"round": str(n)}},
            )
            if created is not None:
                uuid = created["approval_request"]["uuid"]
                client.expect("POST", f"/_mock/approval_requests/{uuid}/approve")
        n += 1
    client.conn.close()


class _Receiver:
    """Counts the callbacks it receives (answers 200)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.count += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _mb(n: float) -> str:
    return f"{n / 2**20:7.1f} MB"


def _read_samples(
    stdout: IO[str], samples: list[dict[str, Any]], tail: dict[str, int]
) -> None:
    for line in stdout:
        kind, _, rest = line.strip().partition(" ")
        if kind == "SAMPLE":
            samples.append(json.loads(rest))
        elif kind == "PEAK":
            tail["peak"] = int(rest)


def _setup(port: int, onetouch: bool, callback_url: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    settings: dict[str, Any] = {
        "sms_token_ttl": 5,
        "limits": {
            "verify_failures": None,
            "sends": None,
            "verification_starts": None,
            "requests": None,
        },
    }
    if onetouch:
        settings["callback_url"] = callback_url
    conn.request(
        "PATCH",
        "/_mock/apps/1",
        body=json.dumps(settings),
        headers={"Content-Type": "application/json"},
    )
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(f"soak: setting up the app failed: {body!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "soak").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cap", type=int, default=2000)
    parser.add_argument("--onetouch", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.cap)
        return

    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--cap", str(args.cap)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    first = child.stdout.readline().split()
    if len(first) != 2 or first[0] != "PORT":
        raise SystemExit(f"soak: the server did not start: {first!r}")
    port = int(first[1])
    samples: list[dict[str, Any]] = []
    tail: dict[str, int] = {}
    reader = threading.Thread(
        target=_read_samples, args=(child.stdout, samples, tail), daemon=True
    )
    reader.start()

    receiver = _Receiver()
    _setup(port, args.onetouch, receiver.url)
    print(
        f"soak: {args.seconds:g} s, {args.clients} client threads, caps {args.cap}"
        f" (inbox, journal, delivery log), onetouch {'on' if args.onetouch else 'off'}"
    )
    stop = threading.Event()
    tallies = [Tally() for _ in range(args.clients)]
    threads = [
        threading.Thread(
            target=_client, args=(port, i, args.onetouch, stop, tallies[i])
        )
        for i in range(args.clients)
    ]
    child.stdin.write("mark\n")
    child.stdin.flush()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    stop.wait(args.seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    child.stdin.write("stop\n")
    child.stdin.flush()
    child.stdin.close()
    child.wait(timeout=60)
    reader.join(timeout=10)
    receiver.server.shutdown()

    served = sum(t.served for t in tallies)
    unexpected: Counter[str] = Counter()
    for t in tallies:
        unexpected.update(t.unexpected)
    broken = sum(t.broken for t in tallies)
    print("  t      rss         inbox journal deliv. approvals  users  codes")
    for s in samples[1:]:  # the first is before the app was set up
        print(
            f"{s['t']:5.0f}s {_mb(s['rss'])} {s['inbox']:8d} {s['journal']:7d}"
            f" {s['deliveries']:6d} {s['approvals']:9d} {s['users']:6d}"
            f" {s['codes']:6d}"
        )
    print(
        f"requests served: {served} in {elapsed:.1f} s ({served / elapsed:.0f} req/s)"
    )
    print(
        f"errors: {sum(unexpected.values()) + broken}"
        f" (unexpected statuses {sum(unexpected.values())},"
        f" broken connections {broken})"
    )
    for what, count in unexpected.most_common():
        print(f"  {count} x {what}")
    if args.onetouch:
        print(f"callbacks received: {receiver.count}")
    timed = [s for s in samples[1:] if s["current"]]
    if timed:
        at_10 = min(timed, key=lambda s: abs(s["t"] - 10.0))
        print(
            f"server rss: start {_mb(timed[0]['rss']).strip()},"
            f" after {at_10['t']:.0f} s {_mb(at_10['rss']).strip()},"
            f" end {_mb(timed[-1]['rss']).strip()}"
        )
    if "peak" in tail:
        print(f"server peak memory (ru_maxrss): {_mb(tail['peak']).strip()}")


if __name__ == "__main__":
    main()
