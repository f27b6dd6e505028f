"""MockServer: the mock app on werkzeug's threaded server in a background thread.

Used by the pytest fixture, the client tests and the benchmarks; the CLI serves the
same app in the foreground. Port 0 picks a free loopback port.
"""

from __future__ import annotations

import threading
from types import TracebackType

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app
from .backend import Backend
from .config import MockConfig
from .web import stop_streams

__all__ = ["KeepAliveHandler", "MockServer", "QuietHandler"]


class KeepAliveHandler(WSGIRequestHandler):
    """HTTP/1.1, so clients keep their connections alive between requests."""

    protocol_version = "HTTP/1.1"


class QuietHandler(KeepAliveHandler):
    """A keep-alive handler that logs nothing (fixtures, benchmarks)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


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
        self._server = make_server(
            self.config.host,
            self.config.port,
            self.app,
            threaded=True,
            request_handler=self._handler,
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
