"""One-time passwords: HOTP (RFC 4226), TOTP (RFC 6238), secrets and otpauth URIs.

Pure: no clock, no randomness of its own, no I/O. The caller passes ``now`` (float
Unix seconds) and an ``rng`` (``random.Random``). ``key`` is the raw HMAC key
(bytes); ``secret`` is its base32 text. Replay protection is the caller's: keep the
step :func:`verify_totp` returns and pass it back as ``last_step``. Bad input raises
an :class:`~tfa_core.errors.InvalidParameter` (or its subclasses) whose message
starts with the parameter name; a code that does not match is not an error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import random
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .errors import InvalidParameter, InvalidSecret, InvalidUri

__all__ = [
    "Digest",
    "Kind",
    "OtpAuth",
    "b32decode",
    "b32encode",
    "hex_key",
    "hotp",
    "new_key",
    "otpauth_uri",
    "parse_otpauth_uri",
    "time_step",
    "totp",
    "verify_totp",
]

Digest = Literal["sha1", "sha256", "sha512"]
Kind = Literal["totp", "hotp"]

MAX_COUNTER = 2**64 - 1  # RFC 4226 §5.2: the counter is an 8-byte value
_HASHES: dict[str, Callable[[], _Hash]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}
# digits -> 10**digits; 10 digits keep the whole 31-bit value.
_MODULI = {d: 10**d for d in range(6, 11)}
_PACK_COUNTER = struct.Struct(">Q").pack
_UNPACK_U32 = struct.Struct(">I").unpack_from
_TRANS_5C = bytes(x ^ 0x5C for x in range(256))
_TRANS_36 = bytes(x ^ 0x36 for x in range(256))
_B32 = re.compile(r"[A-Z2-7]*=*")
_DECIMAL = re.compile(r"[0-9]+")
_INF = math.inf


class _Hash(Protocol):
    def copy(self) -> _Hash: ...
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...


_Copiers = tuple[Callable[[], _Hash], Callable[[], _Hash]]
# digest -> key -> copy methods of the keyed HMAC states. A plain dict, not
# lru_cache: two dict lookups cost less than building and hashing a cache key,
# and hotp must beat one hmac.digest call. Cleared when full (the keys are
# secrets, so the cache stays small; recomputing costs two hash blocks).
_STATES: dict[str, dict[bytes, _Copiers]] = {name: {} for name in _HASHES}
_CACHE_SIZE = 1024


# -- parameter checks (the fast paths only look up; these build the error) -----------


def _int_param(name: str, value: object, lo: float, hi: float, rule: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
        return int(value)
    raise InvalidParameter(f"{name}: must be {rule}, got {value!r}")


def _digits(value: object) -> int:
    return _int_param("digits", value, 6, 10, "an integer from 6 to 10")


def _step(value: object, name: str = "step") -> int:
    if type(value) is int and value > 0:
        return value
    return _int_param(name, value, 1, _INF, "a positive integer (seconds)")


def _counter(value: object) -> int:
    return _int_param("counter", value, 0, MAX_COUNTER, "an integer from 0 to 2**64-1")


def _keyed(key: bytes, digest: str) -> _Copiers:
    """Check *key* and *digest*; cache and return the copiers of the keyed states.

    RFC 2104 §2: HMAC = H(K ^ opad || H(K ^ ipad || m)); the two keyed prefixes do
    not depend on the message, so they are hashed once per key and then copied.
    """
    new = _HASHES.get(digest) if isinstance(digest, str) else None
    if new is None:
        raise InvalidParameter(
            f"digest: must be one of sha1, sha256, sha512, got {digest!r}"
        )
    if not isinstance(key, bytes):
        raise InvalidParameter(f"key: must be bytes, got {type(key).__name__}")
    if not key:
        raise InvalidSecret("key: must not be empty")
    key = bytes(key)
    inner, outer = new(), new()
    block = inner.block_size  # type: ignore[attr-defined]
    padded = key
    if len(padded) > block:  # RFC 2104 §2: longer keys are hashed first
        long_key = new()
        long_key.update(padded)
        padded = long_key.digest()
    padded = padded.ljust(block, b"\0")
    inner.update(padded.translate(_TRANS_36))
    outer.update(padded.translate(_TRANS_5C))
    copiers = (inner.copy, outer.copy)
    cache = _STATES[digest]
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = copiers
    return copiers


def _prepared(
    key: bytes, digits: int, digest: str
) -> tuple[Callable[[], _Hash], Callable[[], _Hash], int]:
    """The slow path of the fast lookups in hotp and verify_totp: check everything."""
    digits = _digits(digits)
    copy_inner, copy_outer = _keyed(key, digest)
    return copy_inner, copy_outer, _MODULI[digits]


# -- HOTP / TOTP ---------------------------------------------------------------------


def hotp(key: bytes, counter: int, digits: int = 6, digest: Digest = "sha1") -> str:
    """The RFC 4226 password for *counter* (0 to 2**64-1), *digits* from 6 to 10."""
    # Inlined and lookup-only: a Python call costs about as much as a hash copy.
    # digits and digest are not keyword-only: CPython fills keyword-only defaults
    # through a dict lookup each, 3% of this function's time.
    try:
        copy_inner, copy_outer = _STATES[digest][key]
        # One test for both: 6.0 would look up like 6, and True would pack like 1.
        # Two bools miss _MODULI; two floats do not pack.
        if type(counter) is not type(digits):
            raise TypeError
        modulus = _MODULI[digits]
        message = _PACK_COUNTER(counter)  # struct.error outside 0 to 2**64-1
    except (KeyError, TypeError, struct.error):
        message = _PACK_COUNTER(_counter(counter))
        copy_inner, copy_outer, modulus = _prepared(key, digits, digest)
    h = copy_inner()
    h.update(message)
    o = copy_outer()
    o.update(h.digest())
    mac = o.digest()
    # RFC 4226 §5.3 dynamic truncation: 31 bits at the offset named by the low nibble.
    value: int = _UNPACK_U32(mac, mac[-1] & 0x0F)[0] & 0x7FFFFFFF
    return str(value % modulus).zfill(digits)


def time_step(now: float, *, step: int = 30) -> int:
    """The RFC 6238 time step (T) that contains *now*: floor(now / step)."""
    step = _step(step)
    real = isinstance(now, (int, float)) and not isinstance(now, bool)
    if not real or not 0 <= now < _INF:
        raise InvalidParameter(
            f"now: must be finite Unix seconds at or after 0, got {now!r}"
        )
    return int(now) // step  # floor(now / step), exactly, for now >= 0


def totp(
    key: bytes, *, now: float, step: int = 30, digits: int = 6, digest: Digest = "sha1"
) -> str:
    """The RFC 6238 password for the time step that contains *now*."""
    counter = time_step(now, step=step)
    if counter > MAX_COUNTER:
        raise InvalidParameter(f"now: its time step exceeds 2**64-1, got {now!r}")
    return hotp(key, counter, digits=digits, digest=digest)


def _offsets(window: int) -> tuple[int, ...]:
    # The current step first, then the nearest ones, the earlier before the later.
    return (0, *(d for n in range(1, window + 1) for d in (-n, n)))


# window -> (window, offsets) for the usual windows; `is` refuses True for 1.
_OFFSETS = {w: (w, _offsets(w)) for w in range(11)}


def verify_totp(
    key: bytes,
    code: str,
    *,
    now: float,
    step: int = 30,
    digits: int = 6,
    digest: Digest = "sha1",
    window: int = 1,
    last_step: int | None = None,
) -> int | None:
    """The time step whose password is *code*, or None.

    Steps from ``T - window`` to ``T + window`` are tried, T first, then the nearest.
    A step at or before *last_step* never matches, so storing the returned step
    and passing it back refuses a replay. A code of the wrong length or with
    anything but ASCII digits simply does not match. Comparison is constant-time.
    """
    # The checks of time_step and hotp, inlined for speed (see hotp).
    t = type(now)
    if type(step) is int and step > 0 and (t is float or t is int) and 0 <= now < _INF:
        current = int(now) // step  # floor(now / step), exactly, for now >= 0
    else:
        current = time_step(now, step=step)  # raises, naming the parameter
    entry = _OFFSETS.get(window)
    if entry is not None and entry[0] is window:
        offsets = entry[1]
    else:
        limit = "an integer from 0 to 1000"
        offsets = _offsets(_int_param("window", window, 0, 1000, limit))
    # Steps below 0 do not exist; steps at or before last_step are replays.
    floor = -1
    if last_step is not None:
        if type(last_step) is not int:
            limit = "an integer or None"
            last_step = _int_param("last_step", last_step, -_INF, _INF, limit)
        floor = max(floor, last_step)
    try:
        copy_inner, copy_outer = _STATES[digest][key]
        if type(digits) is not int:
            raise TypeError
        modulus = _MODULI[digits]
    except (KeyError, TypeError):
        copy_inner, copy_outer, modulus = _prepared(key, digits, digest)
    if type(code) is not str:
        raise InvalidParameter(f"code: must be a str, got {type(code).__name__}")
    if len(code) != digits or not (code.isascii() and code.isdigit()):
        return None
    compare = hmac.compare_digest
    reach = offsets[-1]  # the window
    if current - reach <= floor or current + reach > MAX_COUNTER:  # rare
        offsets = tuple(o for o in offsets if floor < current + o <= MAX_COUNTER)
    for offset in offsets:
        # hotp, inlined: a window costs up to 2 * window + 1 HMACs.
        h = copy_inner()
        h.update(_PACK_COUNTER(current + offset))
        o = copy_outer()
        o.update(h.digest())
        mac = o.digest()
        value: int = _UNPACK_U32(mac, mac[-1] & 0x0F)[0] & 0x7FFFFFFF
        if compare(str(value % modulus).zfill(digits), code):
            return current + offset
    return None


# -- secrets -------------------------------------------------------------------------


def new_key(rng: random.Random, length: int = 20) -> bytes:
    """*length* random bytes from *rng* (API.md §5.1: 20 bytes, the SHA-1 size)."""
    if not isinstance(rng, random.Random):
        raise InvalidParameter(
            f"rng: must be a random.Random, got {type(rng).__name__}"
        )
    # RFC 4226 §4 R6 asks for at least 128 bits of key.
    length = _int_param("length", length, 16, 1024, "an integer from 16 to 1024")
    return rng.randbytes(length)


def _key_param(key: object) -> bytes:
    if not isinstance(key, bytes):
        raise InvalidParameter(f"key: must be bytes, got {type(key).__name__}")
    if not key:
        raise InvalidSecret("key: must not be empty")
    return key


def b32encode(key: bytes, *, padding: bool = False) -> str:
    """The base32 *secret* of *key*: upper case, without ``=`` padding by default."""
    text = base64.b32encode(_key_param(key)).decode("ascii")
    return text if padding else text.rstrip("=")


def b32decode(secret: str) -> bytes:
    """The key in a base32 *secret*; lower case, spaces and missing padding are fine."""
    if not isinstance(secret, str):
        raise InvalidSecret(f"secret: must be a str, got {type(secret).__name__}")
    text = "".join(secret.split())
    if not text.rstrip("="):
        raise InvalidSecret("secret: must not be empty")
    # ASCII first: "\u00df".upper() is "SS", "\u0131".upper() is "I": base32 letters.
    text = text.upper() if text.isascii() else "?"
    if not _B32.fullmatch(text):
        raise InvalidSecret("secret: must be base32 (letters A-Z and digits 2-7)")
    body = text.rstrip("=")
    try:
        return base64.b32decode(body + "=" * (-len(body) % 8))
    except binascii.Error:
        # 1, 3 or 6 characters past a multiple of 8 cannot end a base32 text.
        raise InvalidSecret(
            f"secret: {len(body)} base32 characters is not a valid length"
        ) from None


def hex_key(seed: str) -> bytes:
    """The key in a hexadecimal *seed* (the RFC test vectors' form); spaces are fine."""
    if not isinstance(seed, str):
        raise InvalidSecret(f"seed: must be a str, got {type(seed).__name__}")
    text = "".join(seed.split())
    if not text:
        raise InvalidSecret("seed: must not be empty")
    if not re.fullmatch(r"(?:[0-9A-Fa-f]{2})+", text):
        raise InvalidSecret("seed: must be an even number of hexadecimal digits")
    return bytes.fromhex(text)


# -- otpauth URIs (Google Authenticator "Key Uri Format") ------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OtpAuth:
    """A parsed ``otpauth://`` URI.

    *label* is the whole decoded label (``"Issuer:account"`` or ``"account"``),
    *account* the part after the issuer prefix. *period* is 30 for HOTP (unused);
    *counter* is None for TOTP.
    """

    kind: Kind
    label: str
    account: str
    issuer: str | None
    key: bytes = field(repr=False)
    digest: Digest = "sha1"
    digits: int = 6
    period: int = 30
    counter: int | None = None


def _text_param(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidParameter(f"{name}: must be a non-empty str, got {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate cannot be percent-encoded
        raise InvalidParameter(f"{name}: must be valid Unicode text") from None
    return value


def otpauth_uri(
    key: bytes,
    *,
    label: str,
    issuer: str | None = None,
    kind: Kind = "totp",
    digest: Digest = "sha1",
    digits: int = 6,
    period: int = 30,
    counter: int | None = None,
) -> str:
    """The ``otpauth://`` URI an authenticator app enrolls from (API.md §3.6).

    ``otpauth://totp/<issuer>:<label>?secret=<base32>&issuer=<issuer>&algorithm=SHA1
    &digits=6&period=30``; issuer and label are percent-encoded per RFC 3986 (a
    space is ``%20``, a colon ``%3A``). HOTP carries ``counter=`` instead of
    ``period=`` (*period* is then not used).
    """
    secret = b32encode(key)
    path = quote(_text_param("label", label), safe="")
    query = [f"secret={secret}"]
    if issuer is not None:
        quoted_issuer = quote(_text_param("issuer", issuer), safe="")
        path = f"{quoted_issuer}:{path}"
        query.append(f"issuer={quoted_issuer}")
    if digest not in _HASHES:
        raise InvalidParameter(
            f"digest: must be one of sha1, sha256, sha512, got {digest!r}"
        )
    _digits(digits)
    query += [f"algorithm={digest.upper()}", f"digits={digits}"]
    if kind == "totp":
        if counter is not None:
            raise InvalidParameter("counter: only an hotp URI has a counter")
        query.append(f"period={_step(period, 'period')}")
    elif kind == "hotp":
        if counter is None:
            raise InvalidParameter("counter: an hotp URI needs a counter")
        query.append(f"counter={_counter(counter)}")
    else:
        raise InvalidParameter(f"kind: must be 'totp' or 'hotp', got {kind!r}")
    return f"otpauth://{kind}/{path}?{'&'.join(query)}"


def _uri_int(
    params: dict[str, str], name: str, default: int, lo: int, hi: float
) -> int:
    text = params.get(name)
    if text is None:
        return default
    if not _DECIMAL.fullmatch(text) or not lo <= int(text) <= hi:
        limit = "" if hi == _INF else f" to {hi}"
        raise InvalidUri(f"{name}: must be an integer from {lo}{limit}, got {text!r}")
    return int(text)


def parse_otpauth_uri(uri: str) -> OtpAuth:
    """The fields of an ``otpauth://`` URI; raises InvalidUri when it is malformed.

    Unknown query parameters (``image`` and the like) are ignored. An ``issuer``
    parameter that disagrees with the label's issuer prefix is an error.
    """
    if not isinstance(uri, str):
        raise InvalidUri(f"uri: must be a str, got {type(uri).__name__}")
    try:
        parts = urlsplit(uri)
        pairs = parse_qsl(
            parts.query, keep_blank_values=True, strict_parsing=True, errors="strict"
        )
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise InvalidUri(f"uri: cannot be parsed ({exc})") from None
    if parts.scheme.lower() != "otpauth":
        raise InvalidUri(f"uri: scheme must be otpauth, got {parts.scheme!r}")
    kind = parts.netloc.lower()
    if kind not in ("totp", "hotp"):
        raise InvalidUri(f"uri: type must be totp or hotp, got {parts.netloc!r}")
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise InvalidUri(f"{name}: appears more than once")
        params[name] = value

    raw_label = parts.path[1:]
    try:
        # The issuer prefix ends at the first literal colon; colons inside the
        # issuer or the account are percent-encoded (%3A).
        prefix, sep, rest = raw_label.partition(":")
        issuer = unquote(prefix, errors="strict") if sep else None
        account = unquote(rest if sep else raw_label, errors="strict")
    except UnicodeDecodeError:
        raise InvalidUri("label: is not percent-encoded UTF-8") from None
    param_issuer = params.get("issuer")
    if issuer is None and param_issuer and account.startswith(param_issuer + ":"):
        issuer, account = param_issuer, account[len(param_issuer) + 1 :]  # "%3A" form
    if not account:
        raise InvalidUri("label: the account name is missing")
    if param_issuer is not None:
        if not param_issuer:
            raise InvalidUri("issuer: must not be empty")
        if issuer is not None and issuer != param_issuer:
            raise InvalidUri(
                f"issuer: {param_issuer!r} differs from the label prefix {issuer!r}"
            )
        issuer = param_issuer
    if issuer == "":
        raise InvalidUri("label: the issuer prefix is empty")

    if "secret" not in params:
        raise InvalidUri("secret: is required")
    try:
        key = b32decode(params["secret"])
    except InvalidSecret as exc:
        raise InvalidUri(str(exc)) from None
    algorithm = params.get("algorithm", "SHA1").lower()
    if algorithm not in _HASHES:
        raise InvalidUri(
            f"algorithm: must be SHA1, SHA256 or SHA512, got {params['algorithm']!r}"
        )
    digits = _uri_int(params, "digits", 6, 6, 10)
    if kind == "totp":
        if "counter" in params:
            raise InvalidUri("counter: a totp URI has no counter")
        period, counter = _uri_int(params, "period", 30, 1, _INF), None
    else:
        if "counter" not in params:
            raise InvalidUri("counter: is required in an hotp URI")
        if "period" in params:
            raise InvalidUri("period: an hotp URI has no period")
        period, counter = 30, _uri_int(params, "counter", 0, 0, MAX_COUNTER)
    return OtpAuth(
        kind=kind,  # type: ignore[arg-type]
        label=account if issuer is None else f"{issuer}:{account}",
        account=account,
        issuer=issuer,
        key=key,
        digest=algorithm,  # type: ignore[arg-type]
        digits=digits,
        period=period,
        counter=counter,
    )
