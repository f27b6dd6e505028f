"""Retries (429 and failed connections) and polling, on a fake clock (no network)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.client.bodies import body
from tests.client.fakes import FakeTime, FakeTransport, answer, make_client
from tfa_core.approval import Status
from tfa_core.client import TfaApiError, TfaTransportError
from tfa_core.transport import HttpResponse


def _too_many(retry_after: str | None) -> HttpResponse:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    return answer(body("too_many"), 429, headers)


def test_429_is_retried_after_retry_after() -> None:
    clock = FakeTime()
    transport = FakeTransport(_too_many("3"), _too_many("1"), answer(body("sms")))
    result = make_client(transport, clock, retries=2).request_sms(1000, force=True)
    assert result.message == "SMS token was sent"
    assert clock.sleeps == [3.0, 1.0]
    assert len(transport.requests) == 3
    assert transport.requests[0] == transport.requests[2]  # the same request again


def test_429_retries_are_capped_by_count() -> None:
    clock = FakeTime()
    transport = FakeTransport(_too_many("1"), _too_many("1"), _too_many("1"))
    with pytest.raises(TfaApiError) as caught:
        make_client(transport, clock, retries=2).app_details()
    assert caught.value.status == 429 and caught.value.retry_after == 1
    assert clock.sleeps == [1.0, 1.0]


def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    clock = FakeTime()
    transport = FakeTransport(_too_many("600"))
    with pytest.raises(TfaApiError) as caught:
        make_client(transport, clock, retries=3, max_retry_wait=30).request_email(1000)
    assert caught.value.retry_after == 600
    assert clock.sleeps == []


def test_429_without_retry_after_backs_off() -> None:
    clock = FakeTime()
    transport = FakeTransport(_too_many(None), _too_many("x"), answer(body("details")))
    make_client(transport, clock, retries=2).app_details()
    assert clock.sleeps == [0.5, 1.0]


def test_a_post_refused_with_429_is_retried_too() -> None:
    # API.md §6: refused requests are not counted, so nothing happened the first time.
    clock = FakeTime()
    transport = FakeTransport(_too_many("2"), answer(body("create")))
    make_client(transport, clock, retries=1).create_approval_request(1000, "Log in?")
    assert [req.method for req in transport.requests] == ["POST", "POST"]


def test_a_read_only_get_is_retried_after_a_connection_failure() -> None:
    clock = FakeTime()
    refused = ConnectionRefusedError(111, "Connection refused")
    transport = FakeTransport(refused, refused, answer(body("approval")))
    client = make_client(transport, clock, retries=2)
    info = client.get_approval_request("c1a5e0d2-7b34-4f0e-a2c9-3d8e1f6b9a04")
    assert info.status is Status.PENDING
    assert clock.sleeps == [0.5, 1.0]


def test_connection_failures_give_the_transport_error_when_retries_run_out() -> None:
    transport = FakeTransport(ConnectionResetError(104, "reset"), OSError("no route"))
    with pytest.raises(TfaTransportError) as caught:
        make_client(transport, retries=1).app_stats()
    assert "no route" in str(caught.value)
    assert not caught.value.timed_out
    assert isinstance(caught.value.__cause__, OSError)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.request_sms(1000),  # would send a second SMS
        lambda c: c.request_call(1000),
        lambda c: c.verify_token(1000, "123456"),  # would consume the code
        lambda c: c.check_phone_verification(1, "2015550123", "1234"),
        lambda c: c.create_approval_request(1000, "Log in?"),
    ],
)
def test_requests_with_effects_are_not_retried_after_a_connection_failure(
    call: Callable[[Any], Any],
) -> None:
    transport = FakeTransport(ConnectionResetError(104, "reset"))
    with pytest.raises(TfaTransportError):
        call(make_client(transport, retries=3))
    assert len(transport.requests) == 1


def test_a_timeout_is_not_retried_even_for_reads() -> None:
    # The request may have reached the server; the caller decides.
    transport = FakeTransport(TimeoutError("timed out"))
    with pytest.raises(TfaTransportError) as caught:
        make_client(transport, retries=3).app_details()
    assert caught.value.timed_out
    assert len(transport.requests) == 1


def test_transport_errors_never_leak_the_query() -> None:
    transport = FakeTransport(ConnectionRefusedError(111, "Connection refused"))
    with pytest.raises(TfaTransportError) as caught:
        make_client(transport).check_phone_verification(1, "2015550123", "987654")
    assert "987654" not in str(caught.value)


# -- wait_for_approval ----------------------------------------------------------------


def _approval(status: str) -> HttpResponse:
    doc = body("approval")
    doc["approval_request"]["status"] = status
    if status != "pending":
        doc["approval_request"]["processed_at"] = "2023-11-14T22:16:00Z"
    return answer(doc)


def test_wait_for_approval_polls_until_decided() -> None:
    clock = FakeTime()
    transport = FakeTransport(
        _approval("pending"), _approval("pending"), _approval("approved")
    )
    client = make_client(transport, clock)
    info = client.wait_for_approval("c1a5e0d2", timeout=60, interval=2)
    assert info.status is Status.APPROVED
    assert clock.sleeps == [2, 2]


@pytest.mark.parametrize("final", ["denied", "expired"])
def test_wait_for_approval_stops_on_any_final_status(final: str) -> None:
    transport = FakeTransport(_approval("pending"), _approval(final))
    info = make_client(transport).wait_for_approval("c1a5e0d2", interval=1)
    assert info.status is Status(final)


def test_wait_for_approval_returns_the_pending_state_at_the_timeout() -> None:
    clock = FakeTime()
    transport = FakeTransport(*[_approval("pending") for _ in range(4)])
    info = make_client(transport, clock).wait_for_approval("u", timeout=5, interval=2)
    assert info.is_pending
    assert clock.sleeps == [2, 2, 1]  # never past the deadline
    assert len(transport.requests) == 4


def test_wait_for_approval_with_zero_timeout_polls_once() -> None:
    clock = FakeTime()
    transport = FakeTransport(_approval("pending"))
    info = make_client(transport, clock).wait_for_approval("u", timeout=0)
    assert info.is_pending and clock.sleeps == []


def test_wait_for_approval_raises_errors_of_a_poll() -> None:
    transport = FakeTransport(
        _approval("pending"), answer(body("approval_not_found"), 404)
    )
    with pytest.raises(TfaApiError) as caught:
        make_client(transport).wait_for_approval("u", interval=1)
    assert caught.value.error_code == "60049"
