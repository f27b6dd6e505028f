"""A scripted transport and a fake clock for the client's unit tests (no network)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tfa_core.client import Client
from tfa_core.transport import HttpRequest, HttpResponse

API_KEY = "unit_test_key_0123456789abcdefgh"
BASE = "https://api.example.test"


def answer(
    body: Mapping[str, Any] | str | bytes,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """An HTTP answer with a JSON body (a mapping), or the given raw text/bytes."""
    if isinstance(body, Mapping):
        raw = json.dumps(body, separators=(",", ":")).encode()
    elif isinstance(body, str):
        raw = body.encode()
    else:
        raw = body
    return HttpResponse(status=status, headers=dict(headers or {}), body=raw)


class FakeTransport:
    """Answers from a script (answers or exceptions, in order) and records requests."""

    def __init__(self, *script: HttpResponse | BaseException) -> None:
        self.script = list(script)
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step

    @property
    def last(self) -> HttpRequest:
        return self.requests[-1]

    def last_json(self) -> Any:
        body = self.last.body
        assert body is not None
        return json.loads(body)


class FakeTime:
    """A monotonic clock that only moves when slept on."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


def make_client(
    transport: FakeTransport, time: FakeTime | None = None, **options: Any
) -> Client:
    """A client on *transport* whose waits go to *time* (a fresh one by default)."""
    clock = time if time is not None else FakeTime()
    return Client(
        API_KEY,
        BASE,
        transport=transport,
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        **options,
    )
