"""How a test waits for what another thread does: the very condition it asserts.

A test that waits for a proxy (the receiver got the callback, a thread started) and then
asserts something else (the delivery was recorded) races the other thread. Wait instead
for the asserted state itself, with a deadline, through one of these two forms:

* :func:`wait_until` for state behind a :class:`threading.Condition` that is notified
  on every change (the backend's ``changed``, or a test's own condition);
* :func:`wait_for` for anything else: a :class:`threading.Event` another thread sets,
  or a state no condition announces (a server's idle threads, a process's answer),
  re-checked at a short interval.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from tfa_mock.backend import Backend

T = TypeVar("T")

DEADLINE = 10.0  # seconds of real time; generous for a loaded CI machine
POLL = 0.002  # seconds between checks of a condition nothing announces


def wait_until(
    source: Backend | threading.Condition,
    predicate: Callable[[], T],
    timeout: float = DEADLINE,
    what: str = "the awaited state",
) -> T:
    """Block until *predicate()* is truthy, re-checked on every change *source*
    announces (a backend's ``changed`` condition, or the condition itself).

    Returns the truthy value, so a test can wait for and take the state in one step;
    fails the test with *what* in the message when *timeout* passes first.
    """
    condition = source.changed if isinstance(source, Backend) else source
    with condition:
        value = condition.wait_for(predicate, timeout)
    assert value, f"timed out after {timeout} s waiting for {what}"
    return value


def wait_for(
    condition: Callable[[], T] | threading.Event,
    timeout: float = DEADLINE,
    what: str = "the awaited state",
) -> T | bool:
    """Block until *condition* holds: an Event is set, or a callable is truthy
    (checked every :data:`POLL` seconds; exceptions are not caught).

    Returns the truthy value; fails the test with *what* when *timeout* passes.
    """
    if isinstance(condition, threading.Event):
        assert condition.wait(timeout), (
            f"timed out after {timeout} s waiting for {what}"
        )
        return True
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, (
            f"timed out after {timeout} s waiting for {what}"
        )
        time.sleep(POLL)  # a poll of the condition, not a wait for time to pass
    return value
