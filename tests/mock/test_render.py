"""wire.render: byte-exact JSON (API.md §1.4) and Rails-style XML (API.md §1.5)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tfa_mock.wire.errors import ApprovalNotFound, TokenInvalid, UserNotFound
from tfa_mock.wire.params import decode
from tfa_mock.wire.render import XML_PROLOG, content_type, render

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"


# --- JSON ---------------------------------------------------------------------

USER_STATUS = (
    '{"status":{"authy_id":1000,"confirmed":true,"registered":true,"country_code":1,'
    '"phone_number":"XXX-XXX-0123","email":"ana@example.com","devices":["android"],'
    '"has_hard_token":false,"account_disabled":false,"detailed_devices":[{"device_type":'
    '"authy","os_type":"android","registration_device_id":null,"registration_method":null,'
    '"device_id":100000,"last_sync_date":1700000050,"creation_date":1700000050}],'
    '"deleted_devices":[]},"message":"User status.","success":true}'
)
VERIFY_OK = (
    '{"message":"Token is valid.","token":"is valid","success":"true",'
    '"device":{"id":100000,"os_type":"android","registration_date":1700000050,"registration_method":null,'
    '"registration_country":null,"registration_region":null,"registration_city":null,'
    '"country":null,"region":null,"city":null,"ip":null,"last_account_recovery_at":null,'
    '"last_sync_date":1700000050}}'
)


def test_json_user_status_is_byte_exact() -> None:
    body = {
        "status": {
            "authy_id": 1000,
            "confirmed": True,
            "registered": True,
            "country_code": 1,
            "phone_number": "XXX-XXX-0123",
            "email": "ana@example.com",
            "devices": ["android"],
            "has_hard_token": False,
            "account_disabled": False,
            "detailed_devices": [
                {
                    "device_type": "authy",
                    "os_type": "android",
                    "registration_device_id": None,
                    "registration_method": None,
                    "device_id": 100000,
                    "last_sync_date": 1700000050,
                    "creation_date": 1700000050,
                }
            ],
            "deleted_devices": [],
        },
        "message": "User status.",
        "success": True,
    }
    assert render(body, "json") == USER_STATUS.encode()


def test_json_verify_success_is_byte_exact() -> None:
    device: dict[str, Any] = dict.fromkeys(
        [
            "id",
            "os_type",
            "registration_date",
            "registration_method",
            "registration_country",
            "registration_region",
            "registration_city",
            "country",
            "region",
            "city",
            "ip",
            "last_account_recovery_at",
            "last_sync_date",
        ]
    )
    device |= {"id": 100000, "os_type": "android", "registration_date": 1700000050}
    device["last_sync_date"] = 1700000050
    body = {
        "message": "Token is valid.",
        "token": "is valid",
        "success": "true",
        "device": device,
    }
    out = render(body, "json")
    assert out == VERIFY_OK.encode()
    assert b'"token":"is valid"' in out
    assert b'"success":"true"' in out


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            UserNotFound(),
            '{"message":"User not found.","success":false,"errors":'
            '{"message":"User not found."},"error_code":"60026"}',
        ),
        (
            TokenInvalid(),
            '{"message":"Token is invalid","token":"is invalid","success":false,'
            '"errors":{"message":"Token is invalid"},"error_code":"60020"}',
        ),
        (
            ApprovalNotFound("3f05a350-4b2c-0136-f779-12c0c2bf9eaa"),
            '{"message":"Approval request not found: 3f05a350-4b2c-0136-f779-'
            '12c0c2bf9eaa","success":false,"errors":{},"error_code":"60049"}',
        ),
    ],
)
def test_json_error_envelopes_are_byte_exact(error: Any, expected: str) -> None:
    assert render(error.body(), "json") == expected.encode()


def test_json_is_utf8_not_ascii_escaped() -> None:
    out = render({"details": {"Lieu": "Zürich €"}}, "json")
    assert out == '{"details":{"Lieu":"Zürich €"}}'.encode()


def test_json_lone_surrogate_falls_back_to_escapes() -> None:
    out = render({"a": "x\ud800", "b": "é"}, "json")
    assert out == b'{"a":"x\\ud800","b":"\\u00e9"}'


def test_json_non_finite_floats_are_null() -> None:
    out = render({"a": math.nan, "b": [math.inf, 1.5]}, "json")
    assert out == b'{"a":null,"b":[null,1.5]}'


def test_content_types() -> None:
    assert content_type("json") == "application/json; charset=utf-8"
    assert content_type("xml") == "application/xml; charset=utf-8"


# --- XML golden files (API.md §1.5, byte for byte) -----------------------------


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def test_xml_error_example() -> None:
    assert render(UserNotFound().body(), "xml") == golden("xml_error.xml")


def test_xml_verify_example() -> None:
    body = {
        "message": "Token is valid.",
        "token": "is valid",
        "success": "true",  # a string: untyped, and the root stays <hash>
        "device": {"id": None, "os_type": "sms", "registration_date": 1700000000},
    }
    assert render(body, "xml") == golden("xml_verify.xml")


def test_xml_arrays_and_odd_keys_example() -> None:
    body = {
        "devices": ["android"],
        "deleted_devices": [],
        "details": {"Account Number": "981266321", "location": "California, USA"},
        "logos": [{"res": "default", "url": "https://example.com/l.png"}],
        "processed_at": None,
    }
    assert render(body, "xml") == golden("xml_arrays.xml")


# --- XML rules ----------------------------------------------------------------


def xml_lines(body: dict[str, Any], **kwargs: Any) -> list[str]:
    out = render(body, "xml", **kwargs).decode("utf-8")
    assert out.startswith(XML_PROLOG)
    return out[len(XML_PROLOG) :].splitlines()


def test_xml_scalars() -> None:
    assert xml_lines(
        {"n": 7, "t": True, "f": False, "z": None, "s": "a<&>b", "e": "", "x": 2.5}
    ) == [
        "<hash>",
        '  <n type="integer">7</n>',
        '  <t type="boolean">true</t>',
        '  <f type="boolean">false</f>',
        '  <z nil="true"/>',
        "  <s>a&lt;&amp;&gt;b</s>",
        "  <e></e>",
        '  <x type="float">2.5</x>',
        "</hash>",
    ]


def test_xml_root_choice() -> None:
    assert xml_lines({"success": False})[0] == "<errors>"
    assert xml_lines({"success": True})[0] == "<hash>"
    assert xml_lines({"success": "true"})[0] == "<hash>"
    assert xml_lines({"success": 0})[0] == "<hash>"  # only the boolean False
    assert xml_lines({})[0] == "<hash/>"
    assert xml_lines({"a": "1"}, root="approval-request")[0] == "<approval-request>"


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("error_code", "  <error-code>1</error-code>"),
        ("Account Number", '  <item key="Account Number">1</item>'),
        ("1st", '  <item key="1st">1</item>'),
        ("xml", '  <item key="xml">1</item>'),
        ("XMLish", '  <item key="XMLish">1</item>'),
        ("a:b", '  <item key="a:b">1</item>'),
        ("", '  <item key="">1</item>'),
        ("_app_name", "  <_app-name>1</_app-name>"),  # Rails keeps the underscore
        ("__x__", "  <__x__>1</__x__>"),
        ("a&b", '  <item key="a&amp;b">1</item>'),
        ('say "hi"', '  <item key="say &quot;hi&quot;">1</item>'),
        ("caf\u00e9", "  <caf\u00e9>1</caf\u00e9>"),
        ("a.b", "  <a.b>1</a.b>"),
    ],
)
def test_xml_key_names(key: str, line: str) -> None:
    assert xml_lines({key: "1"})[1] == line


@pytest.mark.parametrize(
    ("key", "child"),
    [
        ("devices", "device"),
        ("stats", "stat"),
        ("logos", "logo"),
        ("detailed_devices", "detailed-device"),
        ("data", "item"),
        ("s", "item"),
        ("xmls", "item"),
        ("Account Numbers", "item"),
    ],
)
def test_xml_array_children_names(key: str, child: str) -> None:
    lines = xml_lines({key: ["v"]})
    assert lines[2] == f"    <{child}>v</{child}>"


def test_xml_nested_arrays_and_typed_items() -> None:
    assert xml_lines({"ids": [1, None, True, [], {"k": "v"}]}) == [
        "<hash>",
        '  <ids type="array">',
        '    <id type="integer">1</id>',
        '    <id nil="true"/>',
        '    <id type="boolean">true</id>',
        '    <id type="array"/>',
        "    <id>",
        "      <k>v</k>",
        "    </id>",
        "  </ids>",
        "</hash>",
    ]


def test_xml_empty_object_and_tuple() -> None:
    assert xml_lines({"details": {}, "t": ("a",)}) == [
        "<hash>",
        "  <details/>",
        '  <t type="array">',
        "    <item>a</item>",
        "  </t>",
        "</hash>",
    ]


def test_xml_characters_it_cannot_carry_become_replacement_chars() -> None:
    lines = xml_lines({"m": "a\x00b\x0bc\ud800\ufffe", "k\x01": "v", "ok": "t\tn\n"})
    assert lines[1] == "  <m>a\ufffdb\ufffdc\ufffd\ufffd</m>"
    assert lines[2] == '  <item key="k\ufffd">v</item>'
    assert "".join(lines[3:5]) == "  <ok>t\tn</ok>"


def test_xml_floats() -> None:
    assert xml_lines({"a": 1e20, "b": math.nan, "c": -math.inf}) == [
        "<hash>",
        '  <a type="float">1e+20</a>',
        '  <b type="float">NaN</b>',
        '  <c type="float">-Infinity</c>',
        "</hash>",
    ]


def test_unrenderable_values_are_a_bug() -> None:
    with pytest.raises(TypeError):
        render({"a": object()}, "xml")
    with pytest.raises(TypeError):
        render({"a": object()}, "json")


def test_xml_round_trips_through_decode() -> None:
    body = {
        "a": 1,
        "b": True,
        "c": None,
        "d": "x y",
        "e": {"f": "g", "h": [1, 2]},
        "logos": [{"res": "low", "url": "u"}],
        "under_score": "1",
    }
    out = render(body, "xml")
    assert decode(content_type="application/xml", body=out, query=b"") == body


# --- never crashes --------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
)
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(), children, max_size=4),
    ),
    max_leaves=20,
)
BODIES = st.dictionaries(st.text(), JSON_LIKE, max_size=6)


@settings(max_examples=300)
@given(BODIES)
def test_render_json_never_fails_and_is_valid(body: dict[str, Any]) -> None:
    out = render(body, "json")
    parsed = json.loads(out.decode("utf-8"))
    assert list(parsed) == list(body)


@settings(max_examples=300)
@given(BODIES, st.sampled_from([None, "hash", "errors"]))
def test_render_xml_never_fails_and_is_well_formed(
    body: dict[str, Any], root: str | None
) -> None:
    out = render(body, "xml", root=root)
    assert out.startswith(XML_PROLOG.encode())
    tree = etree.fromstring(out)
    expected = root or ("errors" if body.get("success") is False else "hash")
    assert tree.tag == expected
    assert len(tree) == len(body)
