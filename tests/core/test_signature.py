"""Tests for tfa_core.signature: API.md §4.6-4.8 and fixtures/callback_vectors.json."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tfa_core import InvalidParameter
from tfa_core.signature import canonical, sign, signed_headers, verify

VECTORS_PATH = (
    Path(__file__).resolve().parents[2] / "fixtures" / "callback_vectors.json"
)
VECTORS: list[dict[str, str]] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
VECTOR_IDS = [v["name"] for v in VECTORS]
POST_VECTORS = [v for v in VECTORS if v["method"] == "POST"]
GET_VECTORS = [v for v in VECTORS if v["method"] == "GET"]

# API.md §4.7 (b) and (c)
EXAMPLE_KEY = "tfa_example_api_key_0123456789"
EXAMPLE_URL = "https://app.example.com/tfa/onetouch/callback"
EXAMPLE_B_BODY = (
    '{"authy_id":1635,"device_uuid":"4d89c320-a9bb-0133-7c02-0e67b818e6fb",'
    '"callback_action":"approval_request_status",'
    '"uuid":"996221c0-b7a7-0133-7c06-0e67b818e6fb","status":"approved",'
    '"approval_request":{"transaction":{"details":{"Account Number":"981266321",'
    '"location":"California, USA"},"device_details":{},"device_geolocation":null,'
    '"device_signing_time":1700000120,"encrypted":false,"flagged":false,'
    '"hidden_details":{"ip_address":"10.10.3.203"},'
    '"message":"Login requested for a CapTrade Bank account.","reason":null,'
    '"requester_details":null,"status":"approved",'
    '"uuid":"996221c0-b7a7-0133-7c06-0e67b818e6fb","created_at_time":1700000100,'
    '"customer_uuid":"2ccf0040-ed25-0132-5987-0e67b818e6fb"},'
    '"expiration_timestamp":1700086500,"logos":null},'
    '"signature":"c2lnbmF0dXJlLW9mLXRoZS1kZXZpY2U="}'
)
EXAMPLE_B_CANONICAL = (
    "approval_request%5Bexpiration_timestamp%5D=1700086500"
    "&approval_request%5Blogos%5D="
    "&approval_request%5Btransaction%5D%5Bcreated_at_time%5D=1700000100"
    "&approval_request%5Btransaction%5D%5Bcustomer_uuid%5D="
    "2ccf0040-ed25-0132-5987-0e67b818e6fb"
    "&approval_request%5Btransaction%5D%5Bdetails%5D%5BAccount+Number%5D=981266321"
    "&approval_request%5Btransaction%5D%5Bdetails%5D%5Blocation%5D=California%2C+USA"
    "&approval_request%5Btransaction%5D%5Bdevice_geolocation%5D="
    "&approval_request%5Btransaction%5D%5Bdevice_signing_time%5D=1700000120"
    "&approval_request%5Btransaction%5D%5Bencrypted%5D=false"
    "&approval_request%5Btransaction%5D%5Bflagged%5D=false"
    "&approval_request%5Btransaction%5D%5Bhidden_details%5D%5Bip_address%5D="
    "10.10.3.203"
    "&approval_request%5Btransaction%5D%5Bmessage%5D="
    "Login+requested+for+a+CapTrade+Bank+account."
    "&approval_request%5Btransaction%5D%5Breason%5D="
    "&approval_request%5Btransaction%5D%5Brequester_details%5D="
    "&approval_request%5Btransaction%5D%5Bstatus%5D=approved"
    "&approval_request%5Btransaction%5D%5Buuid%5D=996221c0-b7a7-0133-7c06-0e67b818e6fb"
    "&authy_id=1635&callback_action=approval_request_status"
    "&device_uuid=4d89c320-a9bb-0133-7c02-0e67b818e6fb"
    "&signature=c2lnbmF0dXJlLW9mLXRoZS1kZXZpY2U%3D&status=approved"
    "&uuid=996221c0-b7a7-0133-7c06-0e67b818e6fb"
)
EXAMPLE_C_BODY = (
    '{"authy_id":1635,"device_uuid":"4d89c320-a9bb-0133-7c02-0e67b818e6fb",'
    '"callback_action":"approval_request_status",'
    '"uuid":"6edb8f40-c01c-0135-c648-0e00ace7f69c","status":"denied",'
    '"approval_request":{"logos":[{"res":"default",'
    '"url":"https://example.com/logo-default.png"},{"res":"low",'
    '"url":"https://example.com/logo-low.png"}],"expiration_timestamp":1700086600},'
    '"device":{"enabled_unlock_methods":["pin","fingerprint"],"os_type":"android"}}'
)
EXAMPLE_C_CANONICAL = (
    "approval_request%5Bexpiration_timestamp%5D=1700086600"
    "&approval_request%5Blogos%5D%5B%5D%5Bres%5D=default"
    "&approval_request%5Blogos%5D%5B%5D%5Burl%5D="
    "https%3A%2F%2Fexample.com%2Flogo-default.png"
    "&approval_request%5Blogos%5D%5B%5D%5Bres%5D=low"
    "&approval_request%5Blogos%5D%5B%5D%5Burl%5D="
    "https%3A%2F%2Fexample.com%2Flogo-low.png"
    "&authy_id=1635&callback_action=approval_request_status"
    "&device%5Benabled_unlock_methods%5D%5B%5D=pin"
    "&device%5Benabled_unlock_methods%5D%5B%5D=fingerprint"
    "&device%5Bos_type%5D=android"
    "&device_uuid=4d89c320-a9bb-0133-7c02-0e67b818e6fb"
    "&status=denied&uuid=6edb8f40-c01c-0135-c648-0e00ace7f69c"
)


# The reference implementation of API.md §4.6, verbatim in behaviour, as an oracle.
def _ref_esc(s: str) -> str:
    return urllib.parse.quote_plus(s, safe="")


def _ref_scalar(v: Any) -> str:
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


def _ref_to_query(value: Any, key: str | None) -> str:
    if isinstance(value, dict):
        chunks = [
            _ref_to_query(v, f"{key}[{k}]" if key is not None else str(k))
            for k, v in value.items()
            if not (isinstance(v, (dict, list)) and not v)
        ]
        return "&".join(sorted(chunks, key=lambda c: c.encode()))
    if isinstance(value, list):
        return "&".join(_ref_to_query(v, f"{key}[]") for v in value)
    assert key is not None
    return _ref_esc(key) + "=" + _ref_esc(_ref_scalar(value))


def _ref_sign(api_key: str, nonce: str, method: str, url: str, canon: str) -> str:
    msg = f"{nonce}|{method}|{url}|{canon}".encode()
    mac = hmac.new(api_key.encode(), msg, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _headers(signature: str, nonce: str) -> dict[str, str]:
    return {"X-TFA-Signature": signature, "X-TFA-Signature-Nonce": nonce}


def _payload_of(vector: dict[str, str]) -> str | bytes:
    return vector["body"] if vector["method"] == "POST" else vector["query"]


def _tampered(vector: dict[str, str]) -> str:
    """The vector's body or query with one value changed."""
    if vector["method"] == "GET":
        query = vector["query"]
        return query[:-1] + ("1" if query[-1] == "0" else "0")
    parsed = json.loads(vector["body"])
    key = next(k for k, v in parsed.items() if isinstance(v, str))
    parsed[key] += "x"
    return json.dumps(parsed, separators=(",", ":"))


def _canonical_of(vector: dict[str, str]) -> str:
    if vector["method"] == "POST":
        return canonical(json.loads(vector["body"]))
    return vector["query"]


# --- the 13 vectors of API.md §4.8 ------------------------------------------------


def test_there_are_thirteen_vectors() -> None:
    assert len(VECTORS) == 13
    assert len(set(VECTOR_IDS)) == 13


@pytest.mark.parametrize("vector", VECTORS, ids=VECTOR_IDS)
def test_vector_signs(vector: dict[str, str]) -> None:
    got = sign(
        vector["api_key"],
        vector["nonce"],
        vector["method"],
        vector["url"],
        _canonical_of(vector),
    )
    assert _same(got, vector["signature"])


@pytest.mark.parametrize("vector", VECTORS, ids=VECTOR_IDS)
def test_vector_verifies(vector: dict[str, str]) -> None:
    headers = _headers(vector["signature"], vector["nonce"])
    payload = _payload_of(vector)
    assert verify(vector["api_key"], headers, vector["method"], vector["url"], payload)
    # Raw bytes, as a WSGI server hands them over, verify as well.
    as_bytes = payload.encode() if isinstance(payload, str) else payload
    assert verify(vector["api_key"], headers, vector["method"], vector["url"], as_bytes)


@pytest.mark.parametrize("vector", VECTORS, ids=VECTOR_IDS)
@pytest.mark.parametrize(
    "names",
    [
        ("X-TFA-Signature", "X-TFA-Signature-Nonce"),
        ("X-Authy-Signature", "X-Authy-Signature-Nonce"),
        ("x-tfa-signature", "x-tfa-signature-nonce"),
        ("X-AUTHY-SIGNATURE", "x-authy-SIGNATURE-nonce"),
    ],
)
def test_vector_verifies_with_either_spelling_any_case(
    vector: dict[str, str], names: tuple[str, str]
) -> None:
    headers = {names[0]: vector["signature"], names[1]: vector["nonce"]}
    assert verify(
        vector["api_key"],
        headers,
        vector["method"].lower(),
        vector["url"],
        _payload_of(vector),
    )


@pytest.mark.parametrize("vector", VECTORS, ids=VECTOR_IDS)
def test_vector_tampering_fails(vector: dict[str, str]) -> None:
    key, method, url, nonce = (
        vector["api_key"],
        vector["method"],
        vector["url"],
        vector["nonce"],
    )
    payload = _payload_of(vector)
    good = _headers(vector["signature"], nonce)
    assert isinstance(payload, str)
    assert not verify(key, good, method, url, _tampered(vector))
    assert not verify(key, good, method, url + "x", payload)
    assert not verify(key, good, method, url.replace("https", "http", 1), payload)
    assert not verify(
        key, _headers(vector["signature"], nonce + "0"), method, url, payload
    )
    assert not verify(key + "x", good, method, url, payload)
    assert not verify(key[:-1], good, method, url, payload)
    other = "GET" if method == "POST" else "POST"
    assert not verify(key, good, other, url, payload)


@pytest.mark.parametrize("vector", POST_VECTORS, ids=[v["name"] for v in POST_VECTORS])
def test_post_vector_reserialised_still_verifies(vector: dict[str, str]) -> None:
    # The signature covers the canonical string, not the bytes: whitespace and key
    # order of the JSON body do not matter, a changed value does.
    parsed = json.loads(vector["body"])
    pretty = json.dumps(dict(reversed(list(parsed.items()))), indent=2)
    headers = _headers(vector["signature"], vector["nonce"])
    assert verify(vector["api_key"], headers, "POST", vector["url"], pretty)
    tampered = _tampered(vector)
    assert not verify(vector["api_key"], headers, "POST", vector["url"], tampered)


@pytest.mark.parametrize("vector", VECTORS, ids=VECTOR_IDS)
def test_signed_headers_of_vector(vector: dict[str, str]) -> None:
    headers = signed_headers(
        vector["api_key"],
        vector["nonce"],
        vector["method"],
        vector["url"],
        _canonical_of(vector),
    )
    assert list(headers) == [
        "X-TFA-Signature",
        "X-TFA-Signature-Nonce",
        "X-Authy-Signature",
        "X-Authy-Signature-Nonce",
    ]
    assert _same(headers["X-TFA-Signature"], vector["signature"])
    assert _same(headers["X-Authy-Signature"], vector["signature"])
    assert headers["X-TFA-Signature-Nonce"] == vector["nonce"]
    assert headers["X-Authy-Signature-Nonce"] == vector["nonce"]
    assert verify(
        vector["api_key"],
        headers,
        vector["method"],
        vector["url"],
        _payload_of(vector),
    )


# --- worked examples of API.md §4.6-4.7 --------------------------------------------


def test_small_example_escapes_and_sorts() -> None:
    assert canonical({"b": "val|ue&2", "a": "value1"}) == "a=value1&b=val%7Cue%262"


def test_example_b_canonical_and_signatures() -> None:
    canon = canonical(json.loads(EXAMPLE_B_BODY))
    assert canon == EXAMPLE_B_CANONICAL
    post = sign(EXAMPLE_KEY, "1700000123", "POST", EXAMPLE_URL, canon)
    get = sign(EXAMPLE_KEY, "1700000123", "GET", EXAMPLE_URL, canon)
    assert _same(post, "zsOW5M0VIoMJojutd1pS6Z/jOS48WuEAt3wHbQ97o6U=")
    assert _same(get, "RUPpkutjkipXvDDKo7yrfiph7P3+EImOKcutMl8icTM=")
    assert verify(
        EXAMPLE_KEY, _headers(post, "1700000123"), "POST", EXAMPLE_URL, EXAMPLE_B_BODY
    )
    assert verify(EXAMPLE_KEY, _headers(get, "1700000123"), "GET", EXAMPLE_URL, canon)
    # A POST signature does not verify a GET of the same payload, nor the reverse.
    assert not verify(
        EXAMPLE_KEY, _headers(get, "1700000123"), "POST", EXAMPLE_URL, EXAMPLE_B_BODY
    )
    assert not verify(
        EXAMPLE_KEY, _headers(post, "1700000123"), "GET", EXAMPLE_URL, canon
    )


def test_example_c_arrays_keep_their_order() -> None:
    canon = canonical(json.loads(EXAMPLE_C_BODY))
    assert canon == EXAMPLE_C_CANONICAL
    signature = sign(EXAMPLE_KEY, "1700000200", "POST", EXAMPLE_URL, canon)
    assert _same(signature, "MuM2BGH4Rp8cMjIkMKrCb8PD7PKvMsKJZ6TWy5yKND4=")
    # Sorting flattened pairs by key alone (res,res,url,url) is the classic mistake.
    flat_sorted = "&".join(sorted(canon.split("&")))
    assert flat_sorted != canon
    wrong = sign(EXAMPLE_KEY, "1700000200", "POST", EXAMPLE_URL, flat_sorted)
    assert not _same(wrong, signature)


# --- canonical: the rules of §4.6 step 3 -------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, ""),
        ({"a": None}, "a="),
        ({"a": True, "b": False}, "a=true&b=false"),
        ({"n": 0, "m": -12, "big": 10**30}, "big=" + "1" + "0" * 30 + "&m=-12&n=0"),
        ({"f": 1.5, "g": 1e16, "h": 0.1}, "f=1.5&g=1e%2B16&h=0.1"),
        ({"a b": "c d"}, "a+b=c+d"),
        ({"k": "~._-AZaz09"}, "k=~._-AZaz09"),
        ({"k": "é€"}, "k=%C3%A9%E2%82%AC"),
        ({"k": "[]:/,=&|+"}, "k=%5B%5D%3A%2F%2C%3D%26%7C%2B"),
        ({"a": {}, "b": [], "c": 1}, "c=1"),
        ({"o": {"x": {"y": "z"}}}, "o%5Bx%5D%5By%5D=z"),
        ({"l": ["b", "a"]}, "l%5B%5D=b&l%5B%5D=a"),
        ({"l": [{"b": 1, "a": 2}]}, "l%5B%5D%5Ba%5D=2&l%5B%5D%5Bb%5D=1"),
        # Byte-wise sort of encoded chunks: "B" (0x42) < "_" (0x5F) < "a" (0x61), and
        # the "%5B" of a nested key sorts before letters.
        ({"a": 1, "_": 2, "B": 3}, "B=3&_=2&a=1"),
        ({"ab": 1, "a": {"z": 1}}, "a%5Bz%5D=1&ab=1"),
        # Tuples are arrays, as json.dumps sends them.
        ({"t": ("x", "y")}, "t%5B%5D=x&t%5B%5D=y"),
    ],
)
def test_canonical_rules(payload: dict[str, Any], expected: str) -> None:
    assert canonical(payload) == expected


@pytest.mark.parametrize(
    "payload",
    [
        # Quirks of the reference that must be reproduced, not "fixed": an object
        # whose members are all empty still contributes an (empty) chunk, and so do
        # empty containers inside arrays.
        {"a": {"b": {}}, "c": 1},
        {"a": {"b": []}},
        {"l": [{}, [], 1]},
        {"l": [[1, 2], [3]]},
        {"x": [None, True, 2.5, "s"]},
    ],
)
def test_canonical_matches_reference_quirks(payload: dict[str, Any]) -> None:
    assert canonical(payload) == _ref_to_query(payload, None)


@pytest.mark.parametrize(
    ("payload", "type_name"),
    [
        ({"a": b"bytes"}, "bytes"),
        ({"a": {1, 2}}, "set"),
        ({"a": {"b": [frozenset()]}}, "frozenset"),
        ({"a": object()}, "object"),
        ({1: "int key"}, "int"),
        ({"a": {None: 1}}, "NoneType"),
    ],
)
def test_canonical_rejects_what_json_cannot_hold(
    payload: dict[Any, Any], type_name: str
) -> None:
    with pytest.raises(InvalidParameter, match=rf"^payload: .*\b{type_name}\b"):
        canonical(payload)


def test_canonical_rejects_non_mapping_and_lone_surrogates() -> None:
    with pytest.raises(InvalidParameter, match=r"^payload: "):
        canonical(["a", "b"])  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter, match=r"^payload: "):
        canonical({"a": "\ud800"})


def test_canonical_survives_deep_nesting() -> None:
    depth = 2000  # well beyond the default recursion limit of 1000
    payload: dict[str, Any] = {"v": 1}
    for _ in range(depth):
        payload = {"k": payload}
    text = canonical(payload)
    assert text == "k" + "%5Bk%5D" * (depth - 1) + "%5Bv%5D=1"


def test_canonical_renders_subclasses_like_json() -> None:
    class Colour(str, enum.Enum):
        RED = "red"

    class Level(enum.IntEnum):
        HIGH = 3

    payload = {"c": Colour.RED, "l": Level.HIGH}
    assert canonical(payload) == "c=red&l=3"
    assert canonical(payload) == canonical(json.loads(json.dumps(payload)))


# --- verify: what must be refused, never raised ----------------------------------


def _example_b_headers() -> dict[str, str]:
    return signed_headers(
        EXAMPLE_KEY, "1700000123", "POST", EXAMPLE_URL, EXAMPLE_B_CANONICAL
    )


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not json",
        "[1, 2]",
        '"a string"',
        "null",
        "42",
        b"\xff\xfe{",
        '{"a": "\\ud800"}',
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' + "1" * 5000 + "}",
    ],
)
def test_verify_refuses_bodies_that_are_not_json_objects(body: str | bytes) -> None:
    assert not verify(EXAMPLE_KEY, _example_b_headers(), "POST", EXAMPLE_URL, body)


@pytest.mark.parametrize(
    "drop",
    [
        ("X-TFA-Signature", "X-Authy-Signature"),
        ("X-TFA-Signature-Nonce", "X-Authy-Signature-Nonce"),
        ("X-TFA-Signature", "X-Authy-Signature-Nonce"),
        (
            "X-TFA-Signature",
            "X-TFA-Signature-Nonce",
            "X-Authy-Signature",
            "X-Authy-Signature-Nonce",
        ),
    ],
)
def test_verify_refuses_missing_headers(drop: tuple[str, ...]) -> None:
    headers = {k: v for k, v in _example_b_headers().items() if k not in drop}
    assert not verify(EXAMPLE_KEY, headers, "POST", EXAMPLE_URL, EXAMPLE_B_BODY)


def test_verify_refuses_a_missing_nonce_whatever_it_would_print_as() -> None:
    # A missing nonce is not the text "None" nor the empty string.
    for nonce in ("None", ""):
        signature = sign(EXAMPLE_KEY, nonce, "POST", EXAMPLE_URL, EXAMPLE_B_CANONICAL)
        headers = {"X-TFA-Signature": signature}
        assert not verify(EXAMPLE_KEY, headers, "POST", EXAMPLE_URL, EXAMPLE_B_BODY)
        headers["X-TFA-Signature-Nonce"] = nonce
        assert verify(EXAMPLE_KEY, headers, "POST", EXAMPLE_URL, EXAMPLE_B_BODY)


def test_verify_keeps_pairs_apart() -> None:
    # One spelling's signature with the other spelling's nonce is no pair at all.
    good = _example_b_headers()
    headers = {
        "X-TFA-Signature": good["X-TFA-Signature"],
        "X-Authy-Signature-Nonce": good["X-Authy-Signature-Nonce"],
    }
    assert not verify(EXAMPLE_KEY, headers, "POST", EXAMPLE_URL, EXAMPLE_B_BODY)
    # One good pair is enough even if the other spelling carries garbage.
    headers = dict(good, **{"X-Authy-Signature": "garbage"})
    assert verify(EXAMPLE_KEY, headers, "POST", EXAMPLE_URL, EXAMPLE_B_BODY)


@pytest.mark.parametrize(
    "signature",
    ["", "garbage", "zsOW5M0VIoMJojutd1pS6Z/jOS48WuEAt3wHbQ97o6U", "é" * 44, "\udcff"],
)
def test_verify_refuses_odd_signatures(signature: str) -> None:
    headers = _headers(signature, "1700000123")
    assert not verify(EXAMPLE_KEY, headers, "POST", EXAMPLE_URL, EXAMPLE_B_BODY)


def test_verify_refuses_odd_nonce_and_methods() -> None:
    good = _example_b_headers()
    signature = good["X-TFA-Signature"]
    assert not verify(
        EXAMPLE_KEY, _headers(signature, "\ud800"), "POST", EXAMPLE_URL, EXAMPLE_B_BODY
    )
    for method in ("PUT", "DELETE", "", "POSTX"):
        assert not verify(EXAMPLE_KEY, good, method, EXAMPLE_URL, EXAMPLE_B_BODY)
    assert not verify(EXAMPLE_KEY, good, "GET", EXAMPLE_URL, "\ud800")


def test_deep_but_parseable_body_verifies() -> None:
    body = '{"a":' * 500 + '"x y"' + "}" * 500
    canon = canonical(json.loads(body))
    assert canon == "a" + "%5Ba%5D" * 499 + "=x+y"
    headers = signed_headers("k", "7", "POST", "https://x/", canon)
    assert verify("k", headers, "POST", "https://x/", body)
    assert not verify("k", headers, "POST", "https://x/", body.replace("x y", "x z"))


def test_verify_tolerates_surrounding_whitespace_in_header_values() -> None:
    good = _example_b_headers()
    headers = {
        "X-TFA-Signature": " " + good["X-TFA-Signature"] + " ",
        "X-TFA-Signature-Nonce": "1700000123\t",
    }
    assert verify(EXAMPLE_KEY, headers, "post", EXAMPLE_URL, EXAMPLE_B_BODY)


def test_sign_upper_cases_the_method() -> None:
    lower = sign(EXAMPLE_KEY, "1700000123", "post", EXAMPLE_URL, EXAMPLE_B_CANONICAL)
    assert _same(lower, "zsOW5M0VIoMJojutd1pS6Z/jOS48WuEAt3wHbQ97o6U=")


# --- properties ---------------------------------------------------------------------

_keys = st.text(max_size=8)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.floats(allow_nan=False)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4)
    ),
    max_leaves=20,
)
_objects = st.dictionaries(_keys, _json, max_size=6)


@settings(max_examples=200, deadline=None)
@given(_objects)
def test_canonical_equals_reference(payload: dict[str, Any]) -> None:
    assert canonical(payload) == _ref_to_query(payload, None)


@settings(max_examples=150, deadline=None)
@given(_objects, st.randoms(use_true_random=False))
def test_canonical_ignores_insertion_order(payload: dict[str, Any], rnd: Any) -> None:
    def shuffled(value: Any) -> Any:
        if isinstance(value, dict):
            items = list(value.items())
            rnd.shuffle(items)
            return {k: shuffled(v) for k, v in items}
        if isinstance(value, list):
            return [shuffled(v) for v in value]  # arrays keep their order
        return value

    assert canonical(shuffled(payload)) == canonical(payload)
    # ... and survives a JSON round trip, which is what the receiver sees.
    assert canonical(json.loads(json.dumps(payload))) == canonical(payload)


@settings(max_examples=150, deadline=None)
@given(_objects, _keys, _scalars, _scalars)
def test_changing_one_scalar_changes_the_signature(
    payload: dict[str, Any], key: str, old: Any, new: Any
) -> None:
    # Values with the same text (True and "true", 1 and "1") are the same value on
    # the wire: a form-encoded string carries no types.
    assume(_ref_scalar(old) != _ref_scalar(new))
    before = dict(payload, **{key: old})
    after = dict(payload, **{key: new})
    body_before = json.dumps(before)
    signature = sign("k", "1", "POST", "https://x/", canonical(before))
    headers = _headers(signature, "1")
    assert verify("k", headers, "POST", "https://x/", body_before)
    assert not verify("k", headers, "POST", "https://x/", json.dumps(after))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30), st.text(max_size=10), st.text(max_size=40))
def test_sign_equals_reference(api_key: str, nonce: str, canon: str) -> None:
    got = sign(api_key, nonce, "POST", "https://x/", canon)
    assert _same(got, _ref_sign(api_key, nonce, "POST", "https://x/", canon))
