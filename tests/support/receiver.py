"""A callback receiver on loopback: records every request, answers scripted statuses."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    """One request the receiver got."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Answers each request with the next scripted status (then 200) and records it."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: queue.Queue[Received] = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.received.put(
                    Received(self.command, self.path, dict(self.headers.items()), body)
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/tfa/callback"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def next(self, timeout: float = 5.0) -> Received:
        """The next request, waiting for it (an event, not a sleep)."""
        return self.received.get(timeout=timeout)


@contextmanager
def running_receiver(statuses: list[int] | None = None) -> Iterator[Receiver]:
    """A started :class:`Receiver`, shut down afterwards."""
    receiver = Receiver(statuses)
    receiver._thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        receiver._thread.join(timeout=5)


def closed_port_url() -> str:
    """A loopback URL on which nothing listens (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/cb"
