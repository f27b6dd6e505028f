"""MockServer: the mock app on werkzeug's threaded server in a background thread.

Used by the pytest fixture, the client tests and the benchmarks; the CLI serves the
same app in the foreground. Port 0 picks a free loopback port.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
from types import TracebackType
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

from .app import create_app
from .backend import Backend
from .config import MockConfig
from .web import stop_streams

__all__ = ["Http11Handler", "MockServer", "PooledWSGIServer", "QuietHandler"]

_Connection = tuple[Any, Any]  # (socket, client address) as socketserver passes them


class Http11Handler(WSGIRequestHandler):
    """HTTP/1.1 answers (chunked for the event stream of the web inbox).

    werkzeug still closes every connection after its answer, so clients reconnect
    per request; the pooled server below keeps that cheap.
    """

    protocol_version = "HTTP/1.1"


class QuietHandler(Http11Handler):
    """An HTTP/1.1 handler that logs nothing (fixtures, benchmarks)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class PooledWSGIServer(BaseWSGIServer):
    """werkzeug's server with each connection on a thread that is then reused.

    As with werkzeug's threaded server, every connection has a thread of its own for
    as long as it lasts (keep-alive included), so no request waits for another; but
    a thread whose connection ended waits for the next connection instead of
    exiting. Starting a thread per connection was a good part of a request's cost
    for clients that open one connection per request (urllib), as tests do.
    """

    multithread = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Set first: given an fd, werkzeug's __init__ calls server_close to drop a
        # placeholder socket; that close is not ours, hence the reset after it.
        self._idle: list[queue.SimpleQueue[_Connection | None]] = []
        self._idle_lock = threading.Lock()
        self._closed = False
        super().__init__(*args, **kwargs)
        self._closed = False

    @property
    def idle_threads(self) -> int:
        """Connection threads now waiting for their next connection."""
        with self._idle_lock:
            return len(self._idle)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._idle_lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(
                target=self._work, args=(inbox,), name="tfa-mock-conn", daemon=True
            ).start()
        inbox.put((request, client_address))

    def _work(self, inbox: queue.SimpleQueue[_Connection | None]) -> None:
        while (connection := inbox.get()) is not None:
            request, client_address = connection
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
            with self._idle_lock:
                if self._closed:
                    return
                self._idle.append(inbox)

    def shutdown(self) -> None:
        """Stop serve_forever now, not at the end of its current poll interval."""
        # socketserver looks for the shutdown request between selects. A listening
        # socket shut down reads as ready, so the select returns at once (the accept
        # that follows fails, which socketserver ignores) and the loop sees the
        # request. Where a listening socket cannot be shut down, the next poll does.
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        super().shutdown()

    def server_close(self) -> None:
        super().server_close()
        with self._idle_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for inbox in idle:
            inbox.put(None)


class MockServer:
    """A running mock (start, url, backend, stop); also a context manager."""

    def __init__(
        self,
        config: MockConfig | None = None,
        *,
        backend: Backend | None = None,
        app: Flask | None = None,
        handler: type[WSGIRequestHandler] = QuietHandler,
    ) -> None:
        self.config = config if config is not None else MockConfig(port=0)
        self.app = app if app is not None else create_app(self.config, backend=backend)
        self.backend: Backend = self.app.extensions["tfa_backend"]
        self._handler = handler
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on (after start)."""
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server, without a trailing slash."""
        return f"http://{self.config.host}:{self.port}"

    def start(self) -> MockServer:
        """Bind (OSError when the port is taken) and serve in a daemon thread."""
        self._server = PooledWSGIServer(
            self.config.host, self.config.port, self.app, self._handler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="tfa-mock-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            stop_streams(self.app)  # open event streams end instead of outliving us
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.backend.close()
        self._server = None
        self._thread = None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
