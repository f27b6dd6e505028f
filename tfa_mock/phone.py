"""Phone numbers as the API reads them: a calling code and a national number typed
by a person, checked with the ``phonenumbers`` library (API.md §3.1).

Used by user registration and by phone verification and information (§3.14-3.17),
so the two agree on what a valid number is. No state, no clock, no randomness.

``phonenumbers`` (~20 ms to import) is imported by the functions that use it, here
and in the backend, so that start-up does not wait for it.
"""

from __future__ import annotations

import functools
import re

__all__ = ["is_typed_national", "parse_phone"]

# API.md §3.1: digits, optionally separated by spaces, dashes, periods, parentheses.
# A leading "+" or letters (vanity numbers) are not a national number.
_NATIONAL = re.compile(r"[0-9 .\-()]+")
_MAX_LENGTH = 64  # well beyond any real number; phonenumbers refuses 250+ anyway


def is_typed_national(national: str) -> bool:
    """Whether *national* is made of digits and the allowed separators only."""
    return (
        len(national) <= _MAX_LENGTH
        and _NATIONAL.fullmatch(national) is not None
        and any(ch.isdigit() for ch in national)
    )


def parse_phone(country_code: int, national: str) -> str | None:
    """The E.164 form of *national* in the calling code *country_code*, or None.

    API.md §3.1: ``parse(national, region_code_for_country_code(cc))``, valid when
    the parsed calling code is *country_code* and ``is_valid_number`` holds.
    Surrounding whitespace is ignored; an unknown calling code gives None.
    """
    national = national.strip()
    if isinstance(country_code, bool) or not isinstance(country_code, int):
        return None
    if not 0 < country_code < 1000 or not is_typed_national(national):
        return None
    return _e164(country_code, national)


@functools.lru_cache(maxsize=1024)
def _e164(country_code: int, national: str) -> str | None:
    # Cached: phonenumbers takes ~25 us a number, and test suites register and
    # verify the same few numbers again and again. Its answer never changes.
    import phonenumbers

    region = phonenumbers.region_code_for_country_code(country_code)
    try:
        number = phonenumbers.parse(national, region)
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != country_code or not phonenumbers.is_valid_number(number):
        return None
    e164: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164
