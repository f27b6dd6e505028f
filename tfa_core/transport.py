"""The HTTP exchange under :mod:`tfa_core.client`, and the client's three errors.

A :data:`Transport` takes an :class:`HttpRequest` and returns the
:class:`HttpResponse`, whatever its status, or raises ``OSError`` when no answer came.
:class:`UrllibTransport` is the standard-library one. :func:`api_error` turns an error
answer into :class:`TfaApiError`.

I/O lives here and in the client only. No retries (the client decides those), no
redirects (they would carry the API key to another place).

:func:`intercepting` is the one hook for tests: while it is active, every
:class:`UrllibTransport` first offers each request to the given route (the mock's
in-process interception uses it), so a client on its default base URL reaches the
mock with nothing patched. Outside it, nothing changes.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .errors import TfaError

__all__ = [
    "HttpRequest",
    "HttpResponse",
    "Method",
    "Route",
    "TfaApiError",
    "TfaProtocolError",
    "TfaTransportError",
    "Transport",
    "UrllibTransport",
    "api_error",
    "decode_json",
    "intercepting",
    "retry_after",
]

Method = Literal["GET", "POST"]


class TfaApiError(TfaError):
    """The API answered an error (API.md §1.4, §2).

    ``error_code`` is the five-digit string, or None when the body was no error
    envelope (a proxy's page, say); ``field_errors`` holds the per-field texts of
    60027 (``{"email": "is invalid"}``); ``retry_after`` the seconds of a
    ``Retry-After`` header (429); ``body`` the decoded JSON body, if any.
    """

    def __init__(
        self,
        *,
        status: int,
        error_code: str | None,
        message: str,
        field_errors: Mapping[str, str] | None = None,
        retry_after: int | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        code = f" {error_code}" if error_code else ""
        super().__init__(f"{status}{code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.field_errors: dict[str, str] = dict(field_errors or {})
        self.retry_after = retry_after
        self.body = body

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        # Keyword-only __init__: pickle (multiprocessing, task queues) needs a hand.
        return (
            functools.partial(
                type(self),
                status=self.status,
                error_code=self.error_code,
                message=self.message,
                field_errors=self.field_errors,
                retry_after=self.retry_after,
                body=self.body,
            ),
            (),
        )

    @property
    def token_invalid(self) -> bool:
        """True when a verify refused the token (60019 used recently, 60020)."""
        return self.error_code in ("60019", "60020")


class TfaTransportError(TfaError, OSError):
    """No answer: connection refused or broken, name not resolved, or timeout."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (
            functools.partial(type(self), str(self), timed_out=self.timed_out),
            (),
        )


class TfaProtocolError(TfaError):
    """A success answer that is not what API.md promises (not JSON, wrong shape)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (functools.partial(type(self), str(self), status=self.status), ())


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequest:
    """One HTTP request as the client means to send it."""

    method: Method
    url: str
    headers: Mapping[str, str]
    body: bytes | None
    timeout: float


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpResponse:
    """One HTTP answer, whatever its status."""

    status: int
    headers: Mapping[str, str]
    body: bytes


Transport = Callable[[HttpRequest], HttpResponse]
# A route answers the requests it takes and returns None for the others.
Route = Callable[[HttpRequest], HttpResponse | None]

_routes: tuple[Route, ...] = ()  # the active interceptions, innermost first
_routes_lock = threading.Lock()


@contextlib.contextmanager
def intercepting(route: Route) -> Iterator[None]:
    """While active, :class:`UrllibTransport` offers every request to *route* first
    (in any thread); a request it answers with None goes out as usual. Exiting,
    even by an exception, removes it again."""
    global _routes
    with _routes_lock:
        _routes = (route, *_routes)
    try:
        yield
    finally:
        with _routes_lock:
            _routes = tuple(r for r in _routes if r is not route)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx surfaces as an error answer


class UrllibTransport:
    """The default transport: urllib, environment proxies honoured, no redirects."""

    def __init__(self) -> None:
        self._opener = urllib.request.build_opener(_NoRedirect())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Send *request*; raise :class:`TfaTransportError` when no answer came."""
        for route in _routes:  # empty unless a test intercepts (see intercepting)
            answer = route(request)
            if answer is not None:
                return answer
        req = urllib.request.Request(  # noqa: S310 - the client checks the scheme
            request.url,
            data=request.body,
            headers=dict(request.headers),
            method=request.method,
        )
        try:
            return self._exchange(req, request.timeout)
        except TimeoutError as exc:
            raise transport_error(request, exc, timed_out=True) from exc
        except urllib.error.URLError as exc:
            timed_out = isinstance(exc.reason, TimeoutError)
            raise transport_error(request, exc.reason, timed_out=timed_out) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise transport_error(request, exc, timed_out=False) from exc

    def _exchange(self, req: urllib.request.Request, timeout: float) -> HttpResponse:
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                return HttpResponse(
                    status=resp.status, headers=_lower(resp.headers), body=resp.read()
                )
        except urllib.error.HTTPError as exc:  # any answer outside 2xx
            with exc:
                return HttpResponse(
                    status=exc.code, headers=_lower(exc.headers), body=exc.read()
                )


def _lower(headers: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in headers.items()}


def transport_error(
    request: HttpRequest, cause: object, *, timed_out: bool
) -> TfaTransportError:
    """The error for *request* that got no answer because of *cause*."""
    what = f"timed out after {request.timeout:g}s" if timed_out else str(cause)
    where = request.url.split("?", 1)[0]  # the query may hold codes: keep them out
    return TfaTransportError(f"{request.method} {where}: {what}", timed_out=timed_out)


def retry_after(headers: Mapping[str, str]) -> int | None:
    """The whole seconds of a ``Retry-After`` header (API.md §6), else None."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            text = value.strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


def decode_json(body: bytes) -> dict[str, Any] | None:
    """The JSON object in *body*, or None when it is no JSON object."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def api_error(response: HttpResponse) -> TfaApiError:
    """The :class:`TfaApiError` of an answer outside 2xx (API.md §1.4 envelope)."""
    body = decode_json(response.body)
    wait = retry_after(response.headers)
    code = body.get("error_code") if body is not None else None
    message = body.get("message") if body is not None else None
    if body is None or not isinstance(code, str) or not isinstance(message, str):
        # No envelope (a load balancer's 502 page): still an answer, not a transport
        # failure, so the status is kept.
        return TfaApiError(
            status=response.status,
            error_code=None,
            message=f"HTTP {response.status} without an error envelope",
            retry_after=wait,
            body=body,
        )
    errors = body.get("errors")
    # 60027 field errors sit inside "errors" beside "message" (API.md §1.4).
    fields = {
        name: text
        for name, text in (errors.items() if isinstance(errors, dict) else ())
        if name != "message" and isinstance(text, str)
    }
    return TfaApiError(
        status=response.status,
        error_code=code,
        message=message,
        field_errors=fields,
        retry_after=wait,
        body=body,
    )
