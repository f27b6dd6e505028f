"""One exchange with the tfa API: a request encoded, sent, retried, its answer parsed.

:class:`Exchange` is the base of :class:`~tfa_core.client.Client`: it holds the key,
the base URL and the retry settings, encodes parameters as API.md §1.3 says (GET:
query, POST: compact JSON), re-sends per the ``retries`` rules of ``Client`` and turns
the answer into a result, :class:`TfaApiError` or :class:`TfaProtocolError`. It knows
no endpoint: the paths and parsers come from ``Client``'s methods. I/O goes through
the injected transport and ``sleep``.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from . import _checks as check
from .errors import InvalidParameter
from .transport import (
    HttpRequest,
    HttpResponse,
    Method,
    TfaProtocolError,
    TfaTransportError,
    Transport,
    UrllibTransport,
    api_error,
    decode_json,
    retry_after,
    transport_error,
)

__all__ = ["Exchange"]

R = TypeVar("R")

_USER_AGENT = "tfa-python-client/0.1"


def _query_value(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


class Exchange:
    """The HTTP side of a client of one app: see :class:`~tfa_core.client.Client`."""

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://api.tfa.com",
        timeout: float = 5.0,
        *,
        retries: int = 0,
        max_retry_wait: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        transport: Transport | None = None,
    ) -> None:
        # The key goes into a header: printable ASCII only, and never echoed.
        if not (isinstance(api_key, str) and api_key.strip()):
            raise InvalidParameter("api_key: must be a non-blank string")
        if not (api_key.isascii() and api_key.isprintable()):
            raise InvalidParameter("api_key: must be printable ASCII")
        parts = urllib.parse.urlsplit(base_url) if isinstance(base_url, str) else None
        if not (
            parts is not None
            and parts.scheme in ("http", "https")
            and parts.netloc
            and not parts.query
            and not parts.fragment
        ):
            rule = "must be an http or https URL without query or fragment"
            raise InvalidParameter(f"base_url: {rule}, got {base_url!r}")
        self.timeout = check.positive("timeout", timeout, allow_zero=False)
        self.retries = check.int_in("retries", retries, 0)
        self.max_retry_wait = check.positive(
            "max_retry_wait", max_retry_wait, allow_zero=True
        )
        self._api_key = api_key
        self.base_url = base_url.rstrip("/")
        self._sleep = sleep
        self._monotonic = monotonic
        self._transport: Transport = transport or UrllibTransport()

    def _build(
        self, method: Method, path: str, params: Mapping[str, Any] | None = None
    ) -> HttpRequest:
        """The request for *path* (below the base URL); None parameters left out."""
        given = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            url, body = self._encode(method, path, given)
        except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form
            raise InvalidParameter("params: strings must be valid Unicode") from None
        headers = {
            "X-TFA-API-Key": self._api_key,
            "Accept": "application/json",
            "User-Agent": _USER_AGENT,
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        return HttpRequest(
            method=method, url=url, headers=headers, body=body, timeout=self.timeout
        )

    def _encode(
        self, method: Method, path: str, params: Mapping[str, Any]
    ) -> tuple[str, bytes | None]:
        url = self.base_url + path
        if method == "GET":
            # API.md §1.3: GET parameters in the query, booleans true/false.
            pairs = {name: _query_value(value) for name, value in params.items()}
            query = urllib.parse.urlencode(pairs)
            return (f"{url}?{query}" if query else url), None
        # API.md §1.3: a compact JSON object, {} when there are no parameters.
        text = json.dumps(params, separators=(",", ":"), ensure_ascii=False)
        return url, text.encode("utf-8")

    def _backoff(self, attempt: int) -> float:
        # 0.5 s, 1 s, 2 s ... (capped), when the server named no Retry-After.
        return min(self.max_retry_wait, 0.5 * 2.0 ** min(attempt, 30))

    def _send(self, request: HttpRequest, *, safe: bool) -> HttpResponse:
        attempt = 0
        while True:
            try:
                response = self._transport(request)
            except OSError as exc:
                error = exc if isinstance(exc, TfaTransportError) else None
                if error is None:
                    timed_out = isinstance(exc, TimeoutError)
                    error = transport_error(request, exc, timed_out=timed_out)
                if safe and not error.timed_out and attempt < self.retries:
                    self._sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                if error is exc:
                    raise
                raise error from exc
            if response.status == 429 and attempt < self.retries:
                # API.md §6: refused requests are not counted, so sending again is
                # safe whatever the method; Retry-After says when.
                wait = retry_after(response.headers)
                delay = float(wait) if wait is not None else self._backoff(attempt)
                if delay <= self.max_retry_wait:
                    self._sleep(delay)
                    attempt += 1
                    continue
            return response

    def _call(
        self,
        method: Method,
        path: str,
        parse: Callable[[dict[str, Any]], R],
        params: Mapping[str, Any] | None = None,
        *,
        safe: bool = False,
    ) -> R:
        response = self._send(self._build(method, path, params), safe=safe)
        if not 200 <= response.status < 300:
            raise api_error(response)
        body = decode_json(response.body)
        where = f"{method} {path.split('?')[0]}"
        if body is None:
            raise TfaProtocolError(
                f"{where}: the {response.status} answer is not a JSON object",
                status=response.status,
            )
        try:
            return parse(body)
        except TfaProtocolError as exc:
            raise TfaProtocolError(f"{where}: {exc}", status=response.status) from None
