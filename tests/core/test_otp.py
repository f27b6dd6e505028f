"""HOTP, TOTP and verify_totp: RFC vectors, API.md §5.8 values, pyotp as the oracle."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfa_core.errors import InvalidParameter, InvalidSecret
from tfa_core.otp import Digest, hex_key, hotp, time_step, totp, verify_totp

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
RFC4226 = json.loads((FIXTURES / "rfc4226_vectors.json").read_text(encoding="utf-8"))
RFC6238 = json.loads((FIXTURES / "rfc6238_vectors.json").read_text(encoding="utf-8"))
RFC4226_KEY = RFC4226["secret_ascii"].encode("ascii")

# API.md §5.8
SPEC_KEY_HEX = "0102030405060708090a0b0c0d0e0f1011121314"
SPEC_VALUES = [
    # (now, step, digits, code)
    (1700000000, 10, 7, "6068610"),
    (1700000000, 10, 6, "068610"),
    (1700000000, 10, 8, "36068610"),
    (1700000000, 30, 6, "957349"),
]
DIGESTS: list[Digest] = ["sha1", "sha256", "sha512"]
PYOTP_DIGEST = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}
PYOTP_MAX_TIME = 253402300799  # pyotp refuses year 10000 and later


def same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return hmac.compare_digest(a.encode(), b.encode())


def reference_hotp(key: bytes, counter: int, digits: int, digest: str) -> str:
    """RFC 4226 §5.3 on top of the stdlib HMAC: an oracle sharing no code with ours."""
    mac = hmac.digest(key, counter.to_bytes(8, "big"), digest)
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


# -- RFC vectors ----------------------------------------------------------------------


@pytest.mark.parametrize("vector", RFC4226["vectors"], ids=lambda v: f"c{v['counter']}")
def test_rfc4226_appendix_d(vector: dict[str, Any]) -> None:
    counter = vector["counter"]
    # The intermediate values pin the fixture itself to the RFC, not to our code.
    mac = hmac.digest(RFC4226_KEY, counter.to_bytes(8, "big"), "sha1")
    assert mac.hex() == vector["hmac"]
    offset = mac[-1] & 0x0F
    assert (
        int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
        == (vector["truncated"])
    )
    assert same(hotp(RFC4226_KEY, counter), vector["hotp"])


@pytest.mark.parametrize(
    "vector",
    RFC6238["vectors"],
    ids=lambda v: f"{v['time']}-{v['digest']}",
)
def test_rfc6238_appendix_b(vector: dict[str, Any]) -> None:
    key = RFC6238["seeds_ascii"][vector["digest"]].encode("ascii")
    assert len(key) == {"sha1": 20, "sha256": 32, "sha512": 64}[vector["digest"]]
    now = vector["time"]
    assert time_step(now, step=RFC6238["step"]) == int(vector["step_hex"], 16)
    code = totp(key, now=now, step=30, digits=8, digest=vector["digest"])
    assert same(code, vector["totp"])
    assert same(totp(key, now=now + 0.5, digits=8, digest=vector["digest"]), code)
    found = verify_totp(key, code, now=now, digits=8, digest=vector["digest"])
    assert found == int(vector["step_hex"], 16)


def test_rfc6238_fixture_has_all_18_vectors() -> None:
    pairs = {(v["time"], v["digest"]) for v in RFC6238["vectors"]}
    assert len(pairs) == 18


@pytest.mark.parametrize(("now", "step", "digits", "code"), SPEC_VALUES)
def test_api_spec_test_values(now: int, step: int, digits: int, code: str) -> None:
    key = hex_key(SPEC_KEY_HEX)
    assert same(totp(key, now=now, step=step, digits=digits), code)
    assert verify_totp(key, code, now=now, step=step, digits=digits, window=0) == (
        now // step
    )


def test_api_spec_ascii_value() -> None:
    assert same(totp(b"12345678901234567890", now=59, digits=8), "94287082")


def test_hotp_extremes_of_the_counter() -> None:
    for counter in (0, 2**32, 2**64 - 1):
        expected = reference_hotp(RFC4226_KEY, counter, 10, "sha1")
        assert same(hotp(RFC4226_KEY, counter, digits=10), expected)


def test_long_keys_are_hashed_first() -> None:
    # RFC 2104 §2: a key longer than the hash block is replaced by its hash.
    for digest, block in (("sha1", 64), ("sha256", 64), ("sha512", 128)):
        key = bytes(range(256))[: block + 1]
        expected = reference_hotp(key, 7, 10, digest)
        assert same(hotp(key, 7, digits=10, digest=digest), expected)  # type: ignore[arg-type]


def test_more_keys_than_the_state_cache_holds() -> None:
    # The keyed-state cache is bounded; whatever it evicts, codes stay right.
    keys = [i.to_bytes(20, "big") for i in range(2500)]
    for round_ in range(2):
        for i, key in enumerate(keys):
            digest: Digest = DIGESTS[(i + round_) % 3]
            assert same(hotp(key, i, digest=digest), reference_hotp(key, i, 6, digest))


def test_the_same_key_under_each_digest_and_digits() -> None:
    for digest in DIGESTS:
        for digits in range(6, 11):
            assert same(
                hotp(RFC4226_KEY, 99, digits=digits, digest=digest),
                reference_hotp(RFC4226_KEY, 99, digits, digest),
            )


# -- verify_totp ----------------------------------------------------------------------


KEY = RFC4226_KEY
NOW = 1_700_000_000.0
T = int(NOW // 30)


def test_verify_prefers_the_current_step_then_the_nearest() -> None:
    for offset in (0, -1, 1):
        code = hotp(KEY, T + offset)
        assert verify_totp(KEY, code, now=NOW) == T + offset
    for offset in (-3, -2, 2, 3):
        code = hotp(KEY, T + offset)
        assert verify_totp(KEY, code, now=NOW, window=1) is None
        assert verify_totp(KEY, code, now=NOW, window=3) == T + offset


def test_verify_refuses_replays_through_last_step() -> None:
    code = hotp(KEY, T)
    accepted = verify_totp(KEY, code, now=NOW)
    assert accepted == T
    assert verify_totp(KEY, code, now=NOW, last_step=accepted) is None
    assert verify_totp(KEY, code, now=NOW + 29, last_step=accepted) is None
    later = hotp(KEY, T + 1)
    assert verify_totp(KEY, later, now=NOW, last_step=accepted) == T + 1
    earlier = hotp(KEY, T - 1)
    assert verify_totp(KEY, earlier, now=NOW, last_step=accepted) is None


FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + i) for i in range(10)))
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + i) for i in range(10)))
MALFORMED: list[Callable[[str], str]] = [
    lambda c: c[:-1],
    lambda c: c + "0",
    lambda c: "0" + c,
    lambda c: c[:-1] + "a",
    lambda c: " " + c[1:],
    lambda c: "+" + c[1:],
    lambda c: c.translate(FULLWIDTH),  # int() would accept these
    lambda c: c.translate(ARABIC_INDIC),
    lambda c: "",
]


@pytest.mark.parametrize("mangle", MALFORMED)
def test_malformed_codes_do_not_match(mangle: Callable[[str], str]) -> None:
    good = hotp(KEY, T)
    assert verify_totp(KEY, good, now=NOW) == T
    assert verify_totp(KEY, mangle(good), now=NOW, window=3) is None


def test_verify_at_the_last_step() -> None:
    top = 2**64 - 1
    now = top * 30  # an int: a float would round
    assert verify_totp(KEY, hotp(KEY, top), now=now) == top
    assert verify_totp(KEY, hotp(KEY, top - 1), now=now) == top - 1
    assert same(totp(KEY, now=now), hotp(KEY, top))


def test_verify_skips_steps_before_zero() -> None:
    assert verify_totp(KEY, hotp(KEY, 0), now=5, window=3) == 0
    assert verify_totp(KEY, hotp(KEY, 1), now=5, window=1, last_step=-7) == 1


# -- bad input ------------------------------------------------------------------------


BAD_CALLS: list[tuple[str, type[Exception], Callable[[], object]]] = [
    ("counter", InvalidParameter, lambda: hotp(KEY, -1)),
    ("counter", InvalidParameter, lambda: hotp(KEY, 2**64)),
    ("counter", InvalidParameter, lambda: hotp(KEY, True)),
    ("counter", InvalidParameter, lambda: hotp(KEY, 1.0)),  # type: ignore[arg-type]
    ("counter", InvalidParameter, lambda: hotp(KEY, 1.0, 6.0)),  # type: ignore[arg-type]
    ("counter", InvalidParameter, lambda: hotp(KEY, True, True)),
    ("counter", InvalidParameter, lambda: hotp(KEY, -1, digits=-1)),
    ("digits", InvalidParameter, lambda: hotp(KEY, 0, digits=5)),
    ("digits", InvalidParameter, lambda: hotp(KEY, 0, digits=11)),
    ("digits", InvalidParameter, lambda: hotp(KEY, 0, digits=6.0)),  # type: ignore[arg-type]
    ("digits", InvalidParameter, lambda: totp(KEY, now=NOW, digits=True)),
    ("digest", InvalidParameter, lambda: hotp(KEY, 0, digest="md5")),  # type: ignore[arg-type]
    ("digest", InvalidParameter, lambda: hotp(KEY, 0, digest="SHA1")),  # type: ignore[arg-type]
    ("digest", InvalidParameter, lambda: hotp(KEY, 0, digest=["sha1"])),  # type: ignore[arg-type]
    ("key", InvalidSecret, lambda: hotp(b"", 0)),
    ("key", InvalidParameter, lambda: hotp("secret", 0)),  # type: ignore[arg-type]
    ("key", InvalidParameter, lambda: hotp(bytearray(KEY), 0)),  # type: ignore[arg-type]
    ("step", InvalidParameter, lambda: totp(KEY, now=NOW, step=0)),
    ("step", InvalidParameter, lambda: totp(KEY, now=NOW, step=-30)),
    ("step", InvalidParameter, lambda: time_step(NOW, step=True)),
    ("step", InvalidParameter, lambda: time_step(NOW, step=0.5)),  # type: ignore[arg-type]
    ("now", InvalidParameter, lambda: totp(KEY, now=-1)),
    ("now", InvalidParameter, lambda: totp(KEY, now=True)),
    ("now", InvalidParameter, lambda: verify_totp(KEY, "123456", now=-0.5)),
    ("now", InvalidParameter, lambda: totp(KEY, now=float("nan"))),
    ("now", InvalidParameter, lambda: totp(KEY, now=float("inf"))),
    ("now", InvalidParameter, lambda: totp(KEY, now="1700000000")),  # type: ignore[arg-type]
    ("now", InvalidParameter, lambda: totp(KEY, now=30 * 2**64)),
    (
        "window",
        InvalidParameter,
        lambda: verify_totp(KEY, "123456", now=NOW, window=-1),
    ),
    (
        "window",
        InvalidParameter,
        lambda: verify_totp(KEY, "123456", now=NOW, window=True),
    ),
    (
        "last_step",
        InvalidParameter,
        lambda: verify_totp(KEY, "1", now=NOW, last_step=1.5),  # type: ignore[arg-type]
    ),
    ("code", InvalidParameter, lambda: verify_totp(KEY, 123456, now=NOW)),  # type: ignore[arg-type]
    ("digest", InvalidParameter, lambda: verify_totp(KEY, "1", now=NOW, digest="x")),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(
    ("param", "error", "call"),
    BAD_CALLS,
    ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(BAD_CALLS)],
)
def test_bad_input_raises_naming_the_parameter(
    param: str, error: type[Exception], call: Callable[[], object]
) -> None:
    hotp(KEY, 0)  # the key is cached: the fast path must refuse too
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(f"{param}:"), str(info.value)
    assert isinstance(info.value, ValueError)


# -- pyotp as the oracle --------------------------------------------------------------


keys = st.binary(min_size=14, max_size=200)  # pyotp needs >= 112 bits
digests = st.sampled_from(DIGESTS)
digit_counts = st.integers(min_value=6, max_value=10)
steps = st.integers(min_value=1, max_value=120)  # pyotp allows at most 120 s
times = st.one_of(
    st.integers(min_value=0, max_value=PYOTP_MAX_TIME),
    st.floats(min_value=0, max_value=PYOTP_MAX_TIME, allow_nan=False),
)


def b32(key: bytes) -> str:
    return base64.b32encode(key).decode("ascii")


@settings(max_examples=200)
@given(key=keys, counter=st.integers(0, 2**64 - 1), digits=digit_counts, digest=digests)
def test_hotp_agrees_with_pyotp(
    key: bytes, counter: int, digits: int, digest: Digest
) -> None:
    oracle = pyotp.HOTP(b32(key), digits=digits, digest=PYOTP_DIGEST[digest])
    assert same(hotp(key, counter, digits=digits, digest=digest), oracle.at(counter))


@settings(max_examples=200)
@given(key=keys, now=times, step=steps, digits=digit_counts, digest=digests)
def test_totp_agrees_with_pyotp(
    key: bytes, now: float, step: int, digits: int, digest: Digest
) -> None:
    oracle = pyotp.TOTP(
        b32(key), digits=digits, digest=PYOTP_DIGEST[digest], interval=step
    )
    assert time_step(now, step=step) == oracle.timecode(now)
    assert same(
        totp(key, now=now, step=step, digits=digits, digest=digest), oracle.at(now)
    )


@settings(max_examples=200)
@given(
    key=keys,
    now=times,
    step=steps,
    digits=digit_counts,
    digest=digests,
    window=st.integers(0, 3),
    offset=st.integers(-5, 5),
    random_code=st.none() | st.text("0123456789", min_size=6, max_size=10),
    last_offset=st.none() | st.integers(-6, 6),
)
def test_verify_totp_matches_exactly_the_window(
    key: bytes,
    now: float,
    step: int,
    digits: int,
    digest: Digest,
    window: int,
    offset: int,
    random_code: str | None,
    last_offset: int | None,
) -> None:
    oracle = pyotp.TOTP(
        b32(key), digits=digits, digest=PYOTP_DIGEST[digest], interval=step
    )
    current = oracle.timecode(now)
    if current + offset < 0:
        offset = -current
    code = random_code or oracle.generate_otp(current + offset)
    last_step = None if last_offset is None else current + last_offset
    found = verify_totp(
        key,
        code,
        now=now,
        step=step,
        digits=digits,
        digest=digest,
        window=window,
        last_step=last_step,
    )
    # The model: candidates T, T-1, T+1, ... within the window, none before 0 or at
    # or before last_step; the first whose pyotp code equals the given code.
    order = [0] + [d for n in range(1, window + 1) for d in (-n, n)]
    expected = None
    for d in order:
        s = current + d
        if s < 0 or (last_step is not None and s <= last_step):
            continue
        if hmac.compare_digest(oracle.generate_otp(s).encode(), code.encode()):
            expected = s
            break
    assert found == expected
    if found is not None:
        assert abs(found - current) <= window
        assert last_step is None or found > last_step
    # Same verdict as pyotp's own verify when no replay record is involved.
    if last_step is None and current >= window:
        assert (
            verify_totp(
                key,
                code,
                now=now,
                step=step,
                digits=digits,
                digest=digest,
                window=window,
            )
            is not None
        ) == (oracle.verify(code, for_time=now, valid_window=window))
