"""Random numeric codes (SMS, voice, e-mail, phone verification) and their comparison.

Pure: the caller passes the ``rng`` (``random.Random``; API.md §8 seeds one per
backend), so a seed makes the codes repeatable. No clock, no I/O, no storage: the
expiry and attempt rules live with the state machines that use these codes.
"""

from __future__ import annotations

import hmac
import random

from .errors import InvalidParameter

__all__ = ["codes_equal", "is_numeric", "numeric_code"]

MIN_CODE_LENGTH = 4
MAX_CODE_LENGTH = 12


def _length(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
        return int(value)
    raise InvalidParameter(
        f"{name}: must be an integer from {lo} to {hi}, got {value!r}"
    )


def numeric_code(length: int, rng: random.Random) -> str:
    """A code of *length* (4 to 12) decimal digits, each value equally likely.

    ``rng.randrange`` draws below a power of two and rejects, so there is no
    modulo bias; leading zeros are kept.
    """
    length = _length("length", length, MIN_CODE_LENGTH, MAX_CODE_LENGTH)
    if not isinstance(rng, random.Random):
        raise InvalidParameter(
            f"rng: must be a random.Random, got {type(rng).__name__}"
        )
    return f"{rng.randrange(10**length):0{length}d}"


def codes_equal(expected: str, given: str) -> bool:
    """Whether *given* equals *expected*, compared in constant time.

    The time depends on the length of *given* only, not on where it differs.
    """
    for name, value in (("expected", expected), ("given", given)):
        if not isinstance(value, str):
            raise InvalidParameter(f"{name}: must be a str, got {type(value).__name__}")
    # Bytes, not str: compare_digest refuses non-ASCII str, and a user may type any.
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"),
        given.encode("utf-8", "surrogatepass"),
    )


def is_numeric(s: str, *, min_len: int, max_len: int) -> bool:
    """Whether *s* is only ASCII digits and *min_len* <= len(s) <= *max_len*.

    Anything but a str is simply not numeric; bad bounds are a programming error.
    """
    min_len = _length("min_len", min_len, 1, 2**31)
    max_len = _length("max_len", max_len, min_len, 2**31)
    return (
        isinstance(s, str)
        and min_len <= len(s) <= max_len
        and s.isascii()
        and s.isdigit()
    )
