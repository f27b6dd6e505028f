"""Random numeric codes: uniform, repeatable from a seed; constant-time comparison."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfa_core.codes import codes_equal, is_numeric, numeric_code
from tfa_core.errors import InvalidParameter


@pytest.mark.parametrize("length", range(4, 13))
def test_numeric_code_has_the_length_and_only_digits(length: int) -> None:
    rng = random.Random(length)
    for _ in range(200):
        code = numeric_code(length, rng)
        assert len(code) == length
        assert is_numeric(code, min_len=length, max_len=length)


def test_numeric_code_is_the_seeded_randrange() -> None:
    # API.md §8: one seeded generator; the draw is rng.randrange(10**length).
    expected = [
        f"{n:06d}"
        for n in (lambda r: [r.randrange(10**6) for _ in range(5)])(random.Random(42))
    ]
    rng = random.Random(42)
    assert [numeric_code(6, rng) for _ in range(5)] == expected


def test_numeric_code_keeps_leading_zeros_and_covers_every_value() -> None:
    rng = random.Random(3)
    seen = Counter(numeric_code(4, rng) for _ in range(200_000))
    assert len(seen) == 10_000  # "0000" included
    # Uniform: every value near 20 draws; a modulo-biased draw would skew a band.
    low = sum(count for code, count in seen.items() if code < "5000")
    assert 98_000 < low < 102_000


def test_codes_equal() -> None:
    assert codes_equal("012345", "012345")
    assert not codes_equal("012345", "012346")
    assert not codes_equal("012345", "01234")
    assert not codes_equal("012345", "")
    assert not codes_equal("012345", "\uff10\uff11\uff12\uff13\uff14\uff15")
    assert codes_equal("é", "é")


@settings(max_examples=200)
@given(a=st.text(), b=st.text())
def test_codes_equal_is_string_equality(a: str, b: str) -> None:
    assert codes_equal(a, b) == (a == b)
    assert codes_equal(a, a)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", True),
        ("0000", True),
        ("123456789012", True),
        ("123", False),
        ("1234567890123", False),
        ("12a4", False),
        (" 1234", False),
        ("-123", False),
        ("\u0661\u0662\u0663\u0664", False),  # Arabic-Indic digits
        ("\uff11\uff12\uff13\uff14", False),  # full-width digits
        ("\u00b2\u00b3\u00b9\u00b2", False),  # superscripts: str.isdigit says yes
        ("", False),
        (1234, False),
        (None, False),
    ],
)
def test_is_numeric(text: object, expected: bool) -> None:
    assert is_numeric(text, min_len=4, max_len=12) is expected  # type: ignore[arg-type]


BAD_CALLS: list[tuple[str, Callable[[], object]]] = [
    ("length", lambda: numeric_code(3, random.Random(1))),
    ("length", lambda: numeric_code(13, random.Random(1))),
    ("length", lambda: numeric_code(True, random.Random(1))),
    ("length", lambda: numeric_code("6", random.Random(1))),  # type: ignore[arg-type]
    ("rng", lambda: numeric_code(6, None)),  # type: ignore[arg-type]
    ("expected", lambda: codes_equal(None, "1")),  # type: ignore[arg-type]
    ("given", lambda: codes_equal("1", 1)),  # type: ignore[arg-type]
    ("min_len", lambda: is_numeric("1", min_len=0, max_len=4)),
    ("max_len", lambda: is_numeric("1", min_len=4, max_len=3)),
    ("max_len", lambda: is_numeric("1", min_len=4, max_len=True)),
]


@pytest.mark.parametrize(("param", "call"), BAD_CALLS)
def test_bad_input_raises_naming_the_parameter(
    param: str, call: Callable[[], object]
) -> None:
    with pytest.raises(InvalidParameter) as info:
        call()
    assert str(info.value).startswith(f"{param}:"), str(info.value)
