"""Callback signatures: the canonical string, HMAC-SHA256 signing and verification.

Implements API.md §4.6: a payload is flattened into a form-encoded canonical string,
``nonce|METHOD|URL|canonical`` is signed with HMAC-SHA256 under the app's API key, and
the base64 result travels in ``X-TFA-Signature`` (and ``X-Authy-Signature``).

Pure: no clock (the caller passes the nonce), no randomness, no I/O. It does not build
callback bodies, choose nonces or send anything; it does not guard against replays
(a receiver that cares checks the nonce's age itself).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidParameter

__all__ = ["canonical", "sign", "signed_headers", "verify"]

_SIGNATURE = "X-TFA-Signature"
_NONCE = "X-TFA-Signature-Nonce"
_AUTHY_SIGNATURE = "X-Authy-Signature"
_AUTHY_NONCE = "X-Authy-Signature-Nonce"
# Receivers accept either spelling (API.md §4.6 "Receiver"); each pair is checked on
# its own, so a signature is never combined with the other spelling's nonce.
_HEADER_PAIRS = ((_SIGNATURE, _NONCE), (_AUTHY_SIGNATURE, _AUTHY_NONCE))

# The escaped forms of "[" + "]" and "[]" (API.md §4.6 step 3: "[" -> %5B, "]" -> %5D).
_OPEN = "%5B"
_CLOSE = "%5D"
_ARRAY = _OPEN + _CLOSE


def _esc(text: str) -> str:
    """Form-encode the UTF-8 bytes of *text* (API.md §4.6 step 3, ``esc``)."""
    try:
        return urllib.parse.quote_plus(text, safe="")
    except UnicodeEncodeError:
        # A lone surrogate (json.loads can produce one) has no UTF-8 encoding.
        raise InvalidParameter("payload: strings must be valid Unicode") from None


def _scalar(value: object) -> str:
    """The text of a scalar: null empty, booleans lower-case, numbers in decimal.

    For the built-in types this is ``str(value)``, exactly as the reference. Subclasses
    (``IntEnum``, ``str`` enums) are rendered through the base type, the way
    ``json.dumps`` writes them, so a payload signs like the JSON body made from it.
    """
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value)
    raise InvalidParameter(
        f"payload: unsupported value of type {type(value).__name__}; expected an "
        "object, array, string, number, boolean or null"
    )


def _is_container(value: object) -> bool:
    # Tuples count as arrays: json.dumps sends them as arrays, and the receiver
    # canonicalises what it parsed, so signer and receiver must agree.
    return isinstance(value, (Mapping, list, tuple))


@dataclass(slots=True)
class _Frame:
    """One object or array still being flattened (explicit stack, no recursion)."""

    is_object: bool
    children: Iterator[tuple[str, object]]  # (escaped key of the child, value)
    chunks: list[str] = field(default_factory=list)

    def text(self) -> str:
        # Members of an object are sorted; array elements keep their order
        # (API.md §4.6 step 3). esc() output is ASCII, so code-point order is the
        # byte order the spec asks for.
        return "&".join(sorted(self.chunks) if self.is_object else self.chunks)


def _object_children(
    value: Mapping[Any, object], prefix: str | None
) -> Iterator[tuple[str, object]]:
    for key, member in value.items():
        if not isinstance(key, str):
            raise InvalidParameter(
                f"payload: object keys must be strings, not {type(key).__name__}"
            )
        # Empty objects and arrays give nothing (API.md §4.6 step 3); this applies to
        # object members only, exactly as in the reference.
        if _is_container(member) and not member:
            continue
        escaped = _esc(key)
        yield (escaped if prefix is None else prefix + _OPEN + escaped + _CLOSE), member


def _array_children(
    value: list[object] | tuple[object, ...], prefix: str
) -> Iterator[tuple[str, object]]:
    key = prefix + _ARRAY
    for element in value:
        yield key, element


def _frame(value: object, prefix: str) -> _Frame:
    if isinstance(value, Mapping):
        return _Frame(is_object=True, children=_object_children(value, prefix))
    if isinstance(value, (list, tuple)):
        return _Frame(is_object=False, children=_array_children(value, prefix))
    raise AssertionError("unreachable: _frame is only called on containers")


def canonical(payload: Mapping[str, object]) -> str:
    """The canonical string of a callback payload (API.md §4.6 step 3).

    Equal to the reference ``_to_query(payload, None)``; iterative, so deep nesting
    cannot exhaust the interpreter's recursion limit. Raises
    :class:`~tfa_core.errors.InvalidParameter` for anything JSON cannot hold (bytes,
    sets, non-string keys, ...).
    """
    if not isinstance(payload, Mapping):
        raise InvalidParameter("payload: must be an object (a mapping)")
    stack = [_Frame(is_object=True, children=_object_children(payload, None))]
    while True:
        top = stack[-1]
        child = next(top.children, None)
        if child is None:
            stack.pop()
            done = top.text()
            if not stack:
                return done
            # A nested object's (or array's) text is one chunk of its parent, even
            # when it is empty, as in the reference.
            stack[-1].chunks.append(done)
        elif _is_container(child[1]):
            stack.append(_frame(child[1], child[0]))
        else:
            top.chunks.append(child[0] + "=" + _esc(_scalar(child[1])))


def _mac(api_key: str, nonce: str, method: str, url: str, signed: bytes) -> str:
    # API.md §4.6 steps 4-6: HMAC-SHA256 of "nonce|METHOD|URL|canonical" in UTF-8,
    # keyed with the API key's UTF-8 bytes, then standard padded base64.
    message = f"{nonce}|{method.upper()}|{url}|".encode() + signed
    digest = hmac.new(api_key.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign(api_key: str, nonce: str, method: str, url: str, canonical_string: str) -> str:
    """The base64 HMAC-SHA256 signature of a callback (API.md §4.6 steps 4-6).

    *url* is the configured callback URL without query or fragment; *method* is
    upper-cased, as the string to sign spells it (``POST``, ``GET``).
    """
    return _mac(api_key, nonce, method, url, canonical_string.encode())


def signed_headers(
    api_key: str, nonce: str, method: str, url: str, canonical_string: str
) -> dict[str, str]:
    """The four signature headers of a callback, both spellings (API.md §4.3)."""
    signature = sign(api_key, nonce, method, url, canonical_string)
    return {
        _SIGNATURE: signature,
        _NONCE: nonce,
        _AUTHY_SIGNATURE: signature,
        _AUTHY_NONCE: nonce,
    }


def _canonical_bytes(method: str, body_or_query: str | bytes) -> bytes | None:
    """What the sender signed, or None when the request cannot carry a signature."""
    if method == "GET":
        # The query string sent is the canonical string itself (API.md §4.3, §4.6).
        if isinstance(body_or_query, bytes):
            return body_or_query
        return body_or_query.encode("utf-8", "surrogatepass")
    if method != "POST":
        return None
    try:
        payload = json.loads(body_or_query)
        if not isinstance(payload, dict):
            return None
        return canonical(payload).encode()
    except (ValueError, RecursionError):
        # Not JSON, not UTF-8, a lone surrogate or an absurdly deep body: whatever it
        # is, it was not signed by a sender following API.md §4.6.
        return None


def verify(
    api_key: str,
    headers: Mapping[str, str],
    method: str,
    url: str,
    body_or_query: str | bytes,
) -> bool:
    """True when a received callback carries a valid signature (API.md §4.6).

    *headers* are matched case-insensitively and either spelling is accepted; *url* is
    the configured callback URL; *body_or_query* is the raw POST body or, for GET, the
    raw query string. A missing header, another method, or a POST body that is not a
    JSON object gives False, never an exception.
    """
    received = {name.lower(): value.strip() for name, value in headers.items()}
    upper = method.upper()
    signed = _canonical_bytes(upper, body_or_query)
    if signed is None:
        return False
    for signature_name, nonce_name in _HEADER_PAIRS:
        signature = received.get(signature_name.lower())
        nonce = received.get(nonce_name.lower())
        if signature is None or nonce is None:
            continue
        try:
            expected = _mac(api_key, nonce, upper, url, signed)
        except UnicodeEncodeError:
            continue
        # Bytes, because compare_digest refuses non-ASCII str (a forged header may
        # hold anything).
        given = signature.encode("utf-8", "surrogatepass")
        if hmac.compare_digest(expected.encode("ascii"), given):
            return True
    return False
