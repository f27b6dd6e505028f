"""Secrets (random keys, base32, hex seeds) and otpauth:// URIs, built and parsed."""

from __future__ import annotations

import base64
import random
from collections.abc import Callable

import pyotp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfa_core.errors import InvalidParameter, InvalidSecret, InvalidUri
from tfa_core.otp import (
    Digest,
    OtpAuth,
    b32decode,
    b32encode,
    hex_key,
    new_key,
    otpauth_uri,
    parse_otpauth_uri,
    totp,
)

SPEC_KEY = bytes(range(1, 21))  # API.md §5.8: hex 0102...14
SPEC_SECRET = "AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYU"


# -- secrets --------------------------------------------------------------------------


def test_new_key_is_repeatable_from_a_seed() -> None:
    a = new_key(random.Random(7))
    assert len(a) == 20
    assert a == new_key(random.Random(7))
    assert a != new_key(random.Random(8))
    assert len(new_key(random.Random(7), 64)) == 64


def test_new_key_takes_a_system_random() -> None:
    assert len(new_key(random.SystemRandom(), 32)) == 32


def test_b32_of_the_spec_key() -> None:
    assert b32encode(SPEC_KEY) == SPEC_SECRET
    assert hex_key("0102030405060708090a0b0c0d0e0f1011121314") == SPEC_KEY
    assert (
        hex_key("01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14")
        == SPEC_KEY
    )


@pytest.mark.parametrize(
    "text",
    [
        SPEC_SECRET,
        SPEC_SECRET.lower(),
        "aeba gbaf aydq qcik bmga 2dqp caire eyu",
        " AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYU\n",
    ],
)
def test_b32decode_is_lenient_about_case_and_spaces(text: str) -> None:
    assert b32decode(text) == SPEC_KEY


@pytest.mark.parametrize("size", range(1, 12))
def test_b32decode_adds_missing_padding(size: int) -> None:
    key = bytes(range(100, 100 + size))
    padded = b32encode(key, padding=True)
    assert padded == base64.b32encode(key).decode()
    assert b32decode(padded) == key
    assert b32decode(padded.rstrip("=")) == key
    assert b32encode(key) == padded.rstrip("=")


@settings(max_examples=200)
@given(key=st.binary(min_size=1, max_size=80))
def test_b32_round_trip(key: bytes) -> None:
    assert b32decode(b32encode(key)) == key
    assert b32decode(b32encode(key).lower()) == key


BAD_SECRETS: list[tuple[str, type[Exception], Callable[[], object]]] = [
    ("secret", InvalidSecret, lambda: b32decode("")),
    ("secret", InvalidSecret, lambda: b32decode("  ")),
    ("secret", InvalidSecret, lambda: b32decode("====")),
    ("secret", InvalidSecret, lambda: b32decode("ABC1")),  # 1 is not base32
    ("secret", InvalidSecret, lambda: b32decode("AB=CD")),
    ("secret", InvalidSecret, lambda: b32decode("ABC")),  # impossible length
    ("secret", InvalidSecret, lambda: b32decode("AAAAAA\u00df")),  # upper() is "SS"
    ("secret", InvalidSecret, lambda: b32decode("AAAAAAA\u0131")),  # upper() is "I"
    ("secret", InvalidSecret, lambda: b32decode(b"ABCD")),  # type: ignore[arg-type]
    ("seed", InvalidSecret, lambda: hex_key("")),
    ("seed", InvalidSecret, lambda: hex_key("abc")),
    ("seed", InvalidSecret, lambda: hex_key("zz")),
    ("seed", InvalidSecret, lambda: hex_key("0x01")),
    ("key", InvalidSecret, lambda: b32encode(b"")),
    ("key", InvalidParameter, lambda: b32encode("AAAA")),  # type: ignore[arg-type]
    ("rng", InvalidParameter, lambda: new_key(None)),  # type: ignore[arg-type]
    ("length", InvalidParameter, lambda: new_key(random.Random(1), 15)),
    ("length", InvalidParameter, lambda: new_key(random.Random(1), True)),
]


# -- otpauth URIs ---------------------------------------------------------------------


def test_totp_uri_has_the_exact_form_of_api_spec() -> None:
    uri = otpauth_uri(SPEC_KEY, label="ana smith@example.com", issuer="Default App")
    assert uri == (
        "otpauth://totp/Default%20App:ana%20smith%40example.com"
        f"?secret={SPEC_SECRET}&issuer=Default%20App&algorithm=SHA1&digits=6&period=30"
    )


def test_uri_without_issuer_and_hotp_uri() -> None:
    assert otpauth_uri(SPEC_KEY, label="ana", digest="sha256", digits=8, period=60) == (
        f"otpauth://totp/ana?secret={SPEC_SECRET}&algorithm=SHA256&digits=8&period=60"
    )
    assert otpauth_uri(SPEC_KEY, label="ana", issuer="X", kind="hotp", counter=5) == (
        f"otpauth://hotp/X:ana?secret={SPEC_SECRET}&issuer=X&algorithm=SHA1"
        "&digits=6&counter=5"
    )


def test_parse_the_spec_uri() -> None:
    uri = otpauth_uri(SPEC_KEY, label="ana@example.com", issuer="Default App")
    assert parse_otpauth_uri(uri) == OtpAuth(
        kind="totp",
        label="Default App:ana@example.com",
        account="ana@example.com",
        issuer="Default App",
        key=SPEC_KEY,
        digest="sha1",
        digits=6,
        period=30,
        counter=None,
    )


def test_key_is_not_in_the_repr() -> None:
    parsed = parse_otpauth_uri(f"otpauth://totp/a?secret={SPEC_SECRET}")
    assert SPEC_SECRET not in repr(parsed)
    assert repr(SPEC_KEY) not in repr(parsed)


def test_parse_agrees_with_pyotp_uris() -> None:
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret, digits=8, interval=60).provisioning_uri(
        name="ana@example.com", issuer_name="Big Co"
    )
    parsed = parse_otpauth_uri(uri)
    assert (parsed.issuer, parsed.account, parsed.digits, parsed.period) == (
        "Big Co",
        "ana@example.com",
        8,
        60,
    )
    assert totp(parsed.key, now=1e9, step=60, digits=8) == pyotp.TOTP(
        secret, digits=8, interval=60
    ).at(1e9)
    assert pyotp.parse_uri(otpauth_uri(parsed.key, label="a b", issuer="I:J")).name == (
        "a b"
    )


def test_parse_accepts_common_third_party_forms() -> None:
    parsed = parse_otpauth_uri(
        "OTPAUTH://TOTP/Big%20Co%3Aana?secret=aeba gbaf&issuer=Big+Co&image=x.png"
    )
    assert (parsed.issuer, parsed.account, parsed.key) == (
        "Big Co",
        "ana",
        SPEC_KEY[:5],
    )
    assert parse_otpauth_uri("otpauth://totp/Co:ana?secret=AEBAGBAF").issuer == "Co"
    assert parse_otpauth_uri("otpauth://totp/ana?secret=AEBAGBAF").issuer is None


labels = st.text(min_size=1, max_size=30)


@settings(max_examples=200)
@given(
    key=st.binary(min_size=1, max_size=64),
    label=labels,
    issuer=st.none() | labels,
    kind=st.sampled_from(["totp", "hotp"]),
    digest=st.sampled_from(["sha1", "sha256", "sha512"]),
    digits=st.integers(6, 10),
    period=st.integers(1, 10**6),
    counter=st.integers(0, 2**64 - 1),
)
def test_uri_round_trip(
    key: bytes,
    label: str,
    issuer: str | None,
    kind: str,
    digest: Digest,
    digits: int,
    period: int,
    counter: int,
) -> None:
    hotp_uri = kind == "hotp"
    uri = otpauth_uri(
        key,
        label=label,
        issuer=issuer,
        kind="hotp" if hotp_uri else "totp",
        digest=digest,
        digits=digits,
        period=period,
        counter=counter if hotp_uri else None,
    )
    assert uri.isascii()
    assert " " not in uri
    parsed = parse_otpauth_uri(uri)
    assert parsed.kind == kind
    assert parsed.account == label
    assert parsed.issuer == issuer
    assert parsed.label == (label if issuer is None else f"{issuer}:{label}")
    assert parsed.key == key
    assert (parsed.digest, parsed.digits) == (digest, digits)
    assert parsed.period == (30 if hotp_uri else period)
    assert parsed.counter == (counter if hotp_uri else None)


BAD_URI_ARGS: list[tuple[str, type[Exception], Callable[[], object]]] = [
    ("label", InvalidParameter, lambda: otpauth_uri(SPEC_KEY, label="")),
    ("issuer", InvalidParameter, lambda: otpauth_uri(SPEC_KEY, label="a", issuer="")),
    ("kind", InvalidParameter, lambda: otpauth_uri(SPEC_KEY, label="a", kind="x")),  # type: ignore[arg-type]
    ("digits", InvalidParameter, lambda: otpauth_uri(SPEC_KEY, label="a", digits=5)),
    ("period", InvalidParameter, lambda: otpauth_uri(SPEC_KEY, label="a", period=0)),
    (
        "digest",
        InvalidParameter,
        lambda: otpauth_uri(SPEC_KEY, label="a", digest="md5"),  # type: ignore[arg-type]
    ),
    ("counter", InvalidParameter, lambda: otpauth_uri(SPEC_KEY, label="a", counter=1)),
    (
        "counter",
        InvalidParameter,
        lambda: otpauth_uri(SPEC_KEY, label="a", kind="hotp"),
    ),
    (
        "counter",
        InvalidParameter,
        lambda: otpauth_uri(SPEC_KEY, label="a", kind="hotp", counter=-1),
    ),
    ("key", InvalidSecret, lambda: otpauth_uri(b"", label="a")),
    ("label", InvalidParameter, lambda: otpauth_uri(SPEC_KEY, label="\ud800")),
]

S = f"secret={SPEC_SECRET}"
MALFORMED_URIS = [
    ("uri", f"https://totp/a?{S}"),
    ("uri", f"otpauth://motp/a?{S}"),
    ("uri", f"otpauth://totp:80/a?{S}"),
    ("uri", "otpauth://totp/a?secret"),  # a field without "="
    ("uri", f"otpauth://totp/a?{S}&issuer=%FF"),  # not UTF-8
    ("label", f"otpauth://totp/?{S}"),
    ("label", f"otpauth://totp/Co:?{S}"),
    ("label", f"otpauth://totp/%FFa?{S}"),
    ("label", f"otpauth://totp/:ana?{S}"),
    ("secret", "otpauth://totp/a?issuer=Co"),
    ("secret", "otpauth://totp/a?secret="),
    ("secret", "otpauth://totp/a?secret=ABC1"),
    ("secret", f"otpauth://totp/a?{S}&{S}"),
    ("issuer", f"otpauth://totp/Co:a?{S}&issuer=Other"),
    ("issuer", f"otpauth://totp/a?{S}&issuer="),
    ("algorithm", f"otpauth://totp/a?{S}&algorithm=MD5"),
    ("digits", f"otpauth://totp/a?{S}&digits=5"),
    ("digits", f"otpauth://totp/a?{S}&digits=six"),
    ("digits", f"otpauth://totp/a?{S}&digits=+6"),
    ("period", f"otpauth://totp/a?{S}&period=0"),
    ("period", f"otpauth://totp/a?{S}&period=-30"),
    ("period", f"otpauth://hotp/a?{S}&counter=1&period=30"),
    ("counter", f"otpauth://hotp/a?{S}"),
    ("counter", f"otpauth://hotp/a?{S}&counter=18446744073709551616"),
    ("counter", f"otpauth://totp/a?{S}&counter=1"),
]


@pytest.mark.parametrize(("param", "uri"), MALFORMED_URIS)
def test_malformed_uris_raise_invalid_uri(param: str, uri: str) -> None:
    with pytest.raises(InvalidUri) as info:
        parse_otpauth_uri(uri)
    assert str(info.value).startswith(f"{param}:"), str(info.value)


def test_parse_refuses_a_non_string() -> None:
    with pytest.raises(InvalidUri, match=r"^uri:"):
        parse_otpauth_uri(b"otpauth://totp/a?secret=AAAA")  # type: ignore[arg-type]


BAD_CALLS = BAD_SECRETS + BAD_URI_ARGS


@pytest.mark.parametrize(
    ("param", "error", "call"),
    BAD_CALLS,
    ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(BAD_CALLS)],
)
def test_bad_input_raises_naming_the_parameter(
    param: str, error: type[Exception], call: Callable[[], object]
) -> None:
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(f"{param}:"), str(info.value)
    assert isinstance(info.value, ValueError)
