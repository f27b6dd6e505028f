"""How a test waits for what another thread does: the very condition it asserts.

A test that waits for a proxy (the receiver got the callback, a thread started) and then
asserts something else (the delivery was recorded) races the other thread. Wait instead
for the asserted state itself, on the backend's change condition, with a deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tfa_mock.backend import Backend

T = TypeVar("T")

DEADLINE = 10.0  # seconds of real time; generous for a loaded CI machine


def wait_until(
    backend: Backend,
    predicate: Callable[[], T],
    timeout: float = DEADLINE,
    what: str = "the awaited state",
) -> T:
    """Block until *predicate()* is truthy (re-checked on every backend change).

    Returns the truthy value, so a test can wait for and take the state in one step;
    fails the test with *what* in the message when *timeout* passes first.
    """
    with backend.changed:
        value = backend.changed.wait_for(predicate, timeout)
    assert value, f"timed out after {timeout} s waiting for {what}"
    return value
