"""UrllibTransport on loopback sockets: refused, silent, redirecting and odd servers.

A stdlib HTTP server plays the far side, so these tests do not need the mock.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tfa_core.client import Client, TfaApiError, TfaProtocolError, TfaTransportError
from tfa_core.transport import HttpRequest, UrllibTransport

KEY = "transport_test_key"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed: nothing listens there any more


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


class _Recorder(BaseHTTPRequestHandler):
    """Answers by path; records what it got on the server object."""

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append(  # type: ignore[attr-defined]
            (self.command, self.path, self.headers, self.rfile.read(length))
        )
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/html"):
            payload, status, kind = b"<h1>oops</h1>", 502, "text/html"
        elif self.path.startswith("/plain200"):
            payload, status, kind = b"hello", 200, "text/plain"
        else:
            doc = {"app": {"app_id": 1, "name": "A", "plan": "p", "sms_enabled": True,
                           "phone_calls_enabled": True, "onetouch_enabled": True},
                   "message": "Application information.", "success": True}  # fmt: skip
            payload, status, kind = json.dumps(doc).encode(), 200, "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _reply
    do_POST = _reply


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}
    )
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _url(httpd: ThreadingHTTPServer, prefix: str = "") -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}{prefix}"


def test_refused_connection_is_a_transport_error() -> None:
    client = Client(KEY, f"http://127.0.0.1:{_free_port()}", timeout=0.2)
    with pytest.raises(TfaTransportError) as caught:
        client.app_details()
    assert not caught.value.timed_out
    assert isinstance(caught.value, OSError)


def test_a_silent_server_times_out(silent_port: int) -> None:
    client = Client(KEY, f"http://127.0.0.1:{silent_port}", timeout=0.2)
    with pytest.raises(TfaTransportError) as caught:
        client.app_details()
    assert caught.value.timed_out
    assert "timed out after 0.2s" in str(caught.value)


def test_the_request_on_the_wire(server: ThreadingHTTPServer) -> None:
    client = Client(KEY, _url(server))
    client.app_details()
    ack = client.register_activity(7, "cookie_login", data={"a": "b"})
    assert ack.message == "Application information."  # what this server says
    (m1, p1, h1, b1), (m2, p2, h2, b2) = server.seen  # type: ignore[attr-defined]
    assert (m1, p1, b1) == ("GET", "/protected/json/app/details", b"")
    assert h1["X-TFA-API-Key"] == KEY
    assert (m2, p2) == ("POST", "/protected/json/users/7/register_activity")
    assert h2["Content-Type"] == "application/json"
    assert b2 == b'{"type":"cookie_login","data":{"a":"b"}}'


def test_redirects_are_not_followed(server: ThreadingHTTPServer) -> None:
    client = Client(KEY, _url(server, "/redirect"))
    with pytest.raises(TfaApiError) as caught:
        client.app_details()
    assert caught.value.status == 302
    assert len(server.seen) == 1  # type: ignore[attr-defined]


def test_an_html_error_page_is_an_api_error_without_code(
    server: ThreadingHTTPServer,
) -> None:
    with pytest.raises(TfaApiError) as caught:
        Client(KEY, _url(server, "/html")).app_details()
    assert (caught.value.status, caught.value.error_code) == (502, None)


def test_a_200_that_is_not_json_is_a_protocol_error(
    server: ThreadingHTTPServer,
) -> None:
    with pytest.raises(TfaProtocolError) as caught:
        Client(KEY, _url(server, "/plain200")).app_details()
    assert caught.value.status == 200


def test_the_transport_alone_returns_any_status(server: ThreadingHTTPServer) -> None:
    request = HttpRequest(
        method="GET", url=_url(server, "/html"), headers={}, body=None, timeout=2.0
    )
    response = UrllibTransport()(request)
    assert response.status == 502
    assert response.headers["content-type"] == "text/html"
    assert response.body == b"<h1>oops</h1>"
