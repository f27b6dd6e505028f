"""The mock in process: a WSGI transport for the client, and interception of HTTP.

* :class:`WsgiTransport` is a :data:`tfa_core.transport.Transport` that hands each
  request to the mock's WSGI app in this process (:func:`call_wsgi`): no socket, the
  server's backend and clock. ``tfa_mock.client()`` of the fixtures is
  a :class:`~tfa_core.client.Client` on it.
* :func:`intercept` (also ``tfa_mock.intercept``) is a context manager and a
  decorator. While active, HTTP and HTTPS requests to its hosts (by default
  ``api.tfa.com`` and ``api.authy.com``, any port) reach an in-process mock when
  they come from ``requests`` (through ``responses``), ``httpx`` sync or async
  (through ``respx``) or the urllib transport of :mod:`tfa_core.client` (through
  :func:`tfa_core.transport.intercepting`). Other hosts pass through untouched,
  or, with ``passthrough=False``, are refused as a connection error would be.
  Everything is restored on exit, by an exception too; outside an interception
  nothing is patched. One interception is active at a time.

Not done: other HTTP libraries (aiohttp, urllib itself, http.client). The web
inbox's event stream (``/_mock/events``) never ends: in process it answers its
first event only.

``tfa_mock.intercept`` names this module, made callable: calling it calls
:func:`intercept`, so ``tfa_mock.intercept()`` and ``from tfa_mock.intercept import
Interception`` both work, and ``import tfa_mock`` imports none of it.
"""

from __future__ import annotations

import functools
import inspect
import io
import re
import sys
import threading
import types
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, ExitStack
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask
from flask.testing import FlaskClient

from tfa_core.client import Client
from tfa_core.transport import HttpRequest, HttpResponse, TfaTransportError

from .handle import DEFAULT_API_KEY, DEFAULT_SEED, FIXED_NOW, MockHandle

if TYPE_CHECKING:
    from types import TracebackType

    import httpx

__all__ = [
    "DEFAULT_HOSTS",
    "Interception",
    "TestClient",
    "WsgiTransport",
    "call_wsgi",
    "intercept",
]

DEFAULT_HOSTS = ("api.tfa.com", "api.authy.com")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_REFUSED = "tfa_mock.intercept: {host} is not intercepted and passthrough is off"

F = TypeVar("F", bound=Callable[..., Any])
Answer = tuple[int, list[tuple[str, str]], bytes]


def call_wsgi(
    app: Flask,
    method: str,
    url: str,
    headers: Iterable[tuple[str, str]],
    body: bytes | None,
) -> Answer:
    """Run one request through *app* in this thread: status, headers, body.

    The WSGI environ is the one werkzeug's server builds for the same request
    (PATH_INFO percent-decoded as UTF-8, the query as sent, headers as HTTP_*),
    with the whole body in ``wsgi.input`` and its length: no socket, no thread.
    """
    environ = _environ(method, url, headers, body or b"")
    answer: list[Any] = []
    written: list[bytes] = []

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        answer[:] = [status, response_headers]
        return written.append

    chunks = app(environ, start_response)
    try:
        if _endless(answer):
            # An event stream never ends: its first event, then it is closed.
            content = b"".join([*written, next(iter(chunks), b"")])
        else:
            content = b"".join([*written, *chunks])
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    status, response_headers = answer
    return int(status.split(" ", 1)[0]), list(response_headers), content


def _endless(answer: list[Any]) -> bool:
    headers = answer[1] if answer else []
    return any(
        name.lower() == "content-type" and value.startswith("text/event-stream")
        for name, value in headers
    )


def _wsgi_text(text: str) -> str:
    # PEP 3333: native strings carry bytes as latin-1 (werkzeug's "dance").
    return text.encode("utf-8").decode("latin-1")


def _environ(
    method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes
) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme or "http"
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    target = f"{path}?{parts.query}" if parts.query else path
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method.upper(),
        "SCRIPT_NAME": "",
        "PATH_INFO": _wsgi_text(urllib.parse.unquote(path)),
        "QUERY_STRING": _wsgi_text(parts.query),
        "REQUEST_URI": _wsgi_text(target),
        "RAW_URI": _wsgi_text(target),
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "0",
        "HTTP_HOST": parts.netloc,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
            continue  # the body is whole here: its length is what counts
        if key != "CONTENT_TYPE":
            key = f"HTTP_{key}"
            if key in environ and key != "HTTP_HOST":
                value = f"{environ[key]},{value}"  # repeated headers, as HTTP joins
        environ[key] = value
    return environ


class WsgiTransport:
    """A transport of :class:`tfa_core.client.Client` into the mock's WSGI app."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, request: HttpRequest) -> HttpResponse:
        status, headers, body = call_wsgi(
            self.app, request.method, request.url, request.headers.items(), request.body
        )
        return HttpResponse(
            status=status,
            headers={name.lower(): value for name, value in headers},
            body=body,
        )


class TestClient(FlaskClient):
    """Flask's test client of the ``tfa_mock_app`` fixture; called, a tfa client."""

    handle: MockHandle | None = None

    def __call__(self, api_key: str | None = None, **options: Any) -> Client:
        """A tfa client on the same app in process (``tfa_mock_app.client()``)."""
        if self.handle is None:
            raise RuntimeError("this test client belongs to no tfa_mock_app fixture")
        return self.handle.in_process_client(api_key, **options)


_active_lock = threading.Lock()
_active: Interception | None = None


class Interception(MockHandle):
    """An in-process mock and the interception of HTTP to its hosts.

    Enter it (``with``) or decorate a function (sync or async) with it; each entry
    starts from the fixture's start state: only the default app, seed *seed*, the
    clock frozen at *now* (None: real time, running). The helpers are those of the
    ``tfa_mock`` fixture; :meth:`client` is a tfa client on the mock in process.
    With *app* (a Flask app of :func:`tfa_mock.app.create_app`) it serves that
    app's backend instead of a new one, and leaves the backend as it was.
    """

    def __init__(
        self,
        hosts: Sequence[str] = DEFAULT_HOSTS,
        *,
        passthrough: bool = True,
        api_key: str = DEFAULT_API_KEY,
        seed: int | None = DEFAULT_SEED,
        now: float | None = FIXED_NOW,
        app: Flask | None = None,
    ) -> None:
        if isinstance(hosts, str) or not hosts:
            raise ValueError("hosts: must be a non-empty sequence of host names")
        self.hosts = tuple(host.lower().strip() for host in hosts)
        self.passthrough = passthrough
        self.now = now
        self._reset = app is None
        if app is None:
            from .app import create_app
            from .config import MockConfig

            app = create_app(MockConfig(port=0, seed=seed, api_key=api_key))
        self.flask_app = app
        base_url = f"https://{self.hosts[0]}"
        super().__init__(app.extensions["tfa_backend"], api_key, app, base_url)
        self._transport = WsgiTransport(app)
        self._stack: ExitStack | None = None
        # The mocks of requests and httpx, built on first entry and reused: an
        # entry only starts them (building respx's routes costs more than a request).
        self._mocks: tuple[Any, Any] | None = None

    # -- the context manager and decorator ---------------------------------------

    def __enter__(self) -> Interception:
        global _active
        with _active_lock:
            if _active is not None:
                raise RuntimeError("tfa_mock.intercept: another interception is active")
            _active = self
        try:
            if self._reset:
                self.backend.reset_all()
                if self.now is not None:
                    self.backend.clock.freeze()
                    self.backend.clock.set(self.now)
            if self._mocks is None:
                self._mocks = (self._requests(), self._httpx())
            requests_mock, router = self._mocks
            with ExitStack() as stack:
                stack.enter_context(self._tfa_core())
                requests_mock.start()
                stack.callback(requests_mock.stop, allow_assert=False)
                router.start()
                stack.callback(router.stop, clear=False, reset=True, quiet=True)
                self._stack = stack.pop_all()
        except BaseException:
            with _active_lock:
                _active = None
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _active
        stack, self._stack = self._stack, None
        try:
            if stack is not None:
                stack.close()
        finally:
            if self._reset:
                self.backend.close()  # its callback worker; a new entry restarts it
            with _active_lock:
                _active = None

    def __call__(self, func: F) -> F:
        """Decorate *func*: it runs inside this interception (sync or async)."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]

    # -- helpers -------------------------------------------------------------------

    def client(self, api_key: str | None = None, **options: Any) -> Client:
        """A tfa client on this mock in process; its base URL is the first host's,
        over https (see :meth:`MockHandle.in_process_client`)."""
        return self.in_process_client(api_key, **options)

    def takes(self, url: str) -> bool:
        """Whether a request to *url* reaches this mock."""
        return (urllib.parse.urlsplit(url).hostname or "").lower() in self.hosts

    def _answer(
        self,
        method: str,
        url: str,
        headers: Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> Answer:
        return call_wsgi(self.flask_app, method, url, headers, body)

    # -- the three libraries ---------------------------------------------------------

    def _tfa_core(self) -> AbstractContextManager[None]:
        from tfa_core.transport import intercepting

        def route(request: HttpRequest) -> HttpResponse | None:
            if self.takes(request.url):
                return self._transport(request)
            if self.passthrough:
                return None
            host = urllib.parse.urlsplit(request.url).hostname
            raise TfaTransportError(_REFUSED.format(host=host))

        return intercepting(route)

    def _requests(self) -> Any:  # a responses.RequestsMock, not started
        import responses

        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        pattern = _url_pattern(self.hosts)

        def callback(request: Any) -> Any:  # PreparedRequest -> (status, headers, body)
            return self._answer(
                request.method or "GET",
                request.url or "",
                request.headers.items(),
                _body_bytes(request.body),
            )

        for method in _METHODS:
            mock.add_callback(method, pattern, callback=callback, content_type=None)
        if self.passthrough:
            mock.add_passthru(re.compile(r".*"))
        return mock

    def _httpx(self) -> Any:  # a respx.MockRouter, not started
        import httpx
        import respx

        router = respx.MockRouter(
            assert_all_called=False, assert_all_mocked=True, using="httpx"
        )

        def answer(request: httpx.Request) -> httpx.Response:
            status, headers, body = self._answer(
                request.method,
                str(request.url),
                request.headers.multi_items(),
                request.content,
            )
            return httpx.Response(status, headers=headers, content=body)

        def refuse(request: httpx.Request) -> httpx.Response:
            host = request.url.host
            raise httpx.ConnectError(_REFUSED.format(host=host), request=request)

        router.route(host__in=self.hosts).mock(side_effect=answer)
        if self.passthrough:
            router.route().pass_through()
        else:
            router.route().mock(side_effect=refuse)
        return router


def _url_pattern(hosts: Sequence[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(host) for host in hosts)
    return re.compile(rf"(?i)https?://(?:{names})(?::\d+)?(?:[/?#]|$)")


def _body_bytes(body: object) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):  # a file given as data=
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if isinstance(body, Iterable):  # a generator of chunks
        return b"".join(c.encode("utf-8") if isinstance(c, str) else c for c in body)
    raise TypeError(f"tfa_mock.intercept: cannot send a body of {type(body)!r}")


def intercept(
    hosts: Sequence[str] = DEFAULT_HOSTS,
    *,
    passthrough: bool = True,
    api_key: str = DEFAULT_API_KEY,
    seed: int | None = DEFAULT_SEED,
    now: float | None = FIXED_NOW,
) -> Interception:
    """An :class:`Interception` of *hosts* on a new in-process mock (see there)."""
    return Interception(
        hosts, passthrough=passthrough, api_key=api_key, seed=seed, now=now
    )


class _CallableModule(types.ModuleType):
    """This module: ``tfa_mock.intercept(...)`` is :func:`intercept`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Interception:
        return intercept(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
