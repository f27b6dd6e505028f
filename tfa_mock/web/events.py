"""The page's server-sent events (``GET /_mock/events``): "the state changed".

One ``change`` event carrying the backend's ``version`` on connect and then whenever
the version moves (the page refetches ``/_mock/page``); a ``: ping`` comment after
:data:`HEARTBEAT` quiet seconds. Waiting is on the backend's ``changed`` condition,
in bounded slices so that a stream also ends when its client has gone (seen on the
socket, without waiting for a write to fail) or when the streams are stopped. It
sends no state itself and changes nothing.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator

from ..backend import Backend

__all__ = [
    "HEARTBEAT",
    "MIN_GAP",
    "RETRY_MS",
    "SLICE",
    "change_event",
    "client_gone",
    "event_stream",
]

HEARTBEAT = 15.0  # real seconds without an event before a comment line
SLICE = 0.5  # real seconds of one wait: how soon a gone client or a stop is seen
MIN_GAP = 0.05  # real seconds between two events: a burst of changes is one refetch
RETRY_MS = 1000  # how soon EventSource reconnects after losing the stream


def change_event(version: int) -> str:
    """The ``change`` event of *version*, framed for ``text/event-stream``."""
    return f"event: change\ndata: {json.dumps({'version': version})}\n\n"


def client_gone(sock: socket.socket | None) -> bool:
    """Whether the peer of *sock* closed the connection (never blocks).

    An EventSource sends nothing after its request, so a readable socket means the
    peer closed it (recv gives b"") or broke it (an error).
    """
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):  # ValueError: the socket is already closed
        return True


def event_stream(
    backend: Backend,
    *,
    gone: Callable[[], bool],
    stop: threading.Event,
    heartbeat: float = HEARTBEAT,
    wait_slice: float = SLICE,
    min_gap: float = MIN_GAP,
) -> Iterator[str]:
    """Yield the stream's chunks until *gone* is true or *stop* is set."""
    with backend.lock:
        version = backend.version
    yield f"retry: {RETRY_MS}\n" + change_event(version)
    last_write = time.monotonic()  # real time: the heartbeat is about the wire
    while True:
        seen = version
        with backend.changed:
            if backend.version == seen and not stop.is_set():
                backend.changed.wait(wait_slice)  # woken by touch() or a stop
            version = backend.version
        if stop.is_set() or gone():
            return
        if version != seen:
            yield change_event(version)
            last_write = time.monotonic()
            # Under a load test every request changes the state; the page needs
            # one event per burst, not one per request.
            stop.wait(min_gap)
        elif time.monotonic() - last_write >= heartbeat:
            yield ": ping\n\n"
            last_write = time.monotonic()
