"""wire.params: every decoding rule of API.md §1.3 and the getters' §2 reasons."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tfa_mock.wire import params as wire_params
from tfa_mock.wire.errors import ApiError, BadEncoding, BadRequest, InvalidParameter
from tfa_mock.wire.params import (
    MAX_DEPTH,
    as_list,
    decode,
    get_bool,
    get_int,
    get_object,
    get_str,
)

FORM = "application/x-www-form-urlencoded"


def form(raw: str) -> dict[str, Any]:
    return decode(content_type=FORM, body=raw.encode(), query=b"")


def query(raw: bytes) -> dict[str, Any]:
    return decode(content_type=None, body=b"", query=raw)


# --- bracket keys (API.md §1.3 table, one row each) ---------------------------

BRACKET_TABLE = [
    ("a[b]=1&a[c][d]=2", {"a": {"b": "1", "c": {"d": "2"}}}),
    ("a[]=x&a[]=y", {"a": ["x", "y"]}),
    (
        "a[][res]=low&a[][url]=u1&a[][res]=med",
        {"a": [{"res": "low", "url": "u1"}, {"res": "med"}]},
    ),
    ("a[0][res]=low&a[1][res]=med", {"a": {"0": {"res": "low"}, "1": {"res": "med"}}}),
    ("a=1&a=2", {"a": "2"}),
]


@pytest.mark.parametrize(("raw", "expected"), BRACKET_TABLE)
def test_bracket_table_in_a_form_body(raw: str, expected: dict[str, Any]) -> None:
    assert form(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), BRACKET_TABLE)
def test_bracket_table_in_the_query(raw: str, expected: dict[str, Any]) -> None:
    assert query(raw.encode()) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Conflicts: the later pair wins and replaces what was there.
        ("a=1&a[b]=2", {"a": {"b": "2"}}),
        ("a[b]=2&a=1", {"a": "1"}),
        ("a[]=x&a[b]=1", {"a": {"b": "1"}}),
        ("a[b]=1&a[]=x", {"a": ["x"]}),
        ("a[b]=1&a[b][c]=2", {"a": {"b": {"c": "2"}}}),
        # Malformed brackets: the whole key, literally.
        ("a[b=1", {"a[b": "1"}),
        ("a]=1", {"a]": "1"}),
        ("[a]=1", {"[a]": "1"}),
        ("a[b]c=1", {"a[b]c": "1"}),
        ("a[b]]=1", {"a[b]]": "1"}),
        # Empty keys and empty pairs are dropped; a key alone has the value "".
        ("=1&&b", {"b": ""}),
        ("a=", {"a": ""}),
        # Lists of objects: nested lists inside elements keep filling the last one.
        ("a[][x][]=1&a[][x][]=2", {"a": [{"x": ["1", "2"]}]}),
        ("a[]=x&a[][k]=v", {"a": ["x", {"k": "v"}]}),
        (
            "a[][k][l]=1&a[][k][m]=2&a[][k][l]=3",
            {"a": [{"k": {"l": "1", "m": "2"}}, {"k": {"l": "3"}}]},
        ),
        # Encoded brackets are brackets; '+' is a space, %2B a plus.
        ("a%5Bb%5D=1", {"a": {"b": "1"}}),
        ("q=a+b%2Bc", {"q": "a b+c"}),
        (
            "details[Account+Number]=981266321",
            {"details": {"Account Number": "981266321"}},
        ),
    ],
)
def test_bracket_rules_where_the_spec_is_silent(
    raw: str, expected: dict[str, Any]
) -> None:
    assert form(raw) == expected


def test_percent_escapes_are_utf8_bytes() -> None:
    assert query(b"x=%E2%82%AC&y=caf%C3%A9") == {"x": "\u20ac", "y": "caf\u00e9"}


def test_raw_utf8_bytes_in_the_query_are_accepted() -> None:
    assert query("x=\u20ac".encode()) == {"x": "\u20ac"}


@pytest.mark.parametrize("raw", [b"x=%E2%82", b"x=%FF", b"%C3=1", b"x=\xff"])
def test_invalid_utf8_in_the_decoded_query_is_60005(raw: bytes) -> None:
    with pytest.raises(BadEncoding) as info:
        query(raw)
    assert info.value.error_code == "60005"
    assert info.value.message == "UTF-8 invalid"


def test_deep_bracket_keys_are_refused() -> None:
    ok = "a" + "[b]" * (MAX_DEPTH - 1) + "=1"
    form(ok)
    with pytest.raises(BadRequest):
        form("a" + "[b]" * MAX_DEPTH + "=1")


# --- merging and content types -------------------------------------------------


def test_body_overrides_query_key_by_key() -> None:
    params = decode(
        content_type="application/json",
        body=b'{"a":{"x":"1"},"b":"body"}',
        query=b"a[y]=2&b=query&c=query",
    )
    # Top level only: "a" is replaced whole, not merged.
    assert params == {"a": {"x": "1"}, "b": "body", "c": "query"}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"a":"1"}'),
        ("Application/JSON; charset=utf-8", b'{"a":"1"}'),
        (FORM, b"a=1"),
        ("application/x-www-form-urlencoded; charset=UTF-8", b"a=1"),
        ("application/xml", b"<hash><a>1</a></hash>"),
        ("text/xml; charset=utf-8", b"<hash><a>1</a></hash>"),
        (None, b'  {"a":"1"}'),
        (None, b"\n<hash><a>1</a></hash>"),
        (None, b"a=1"),
        ("", b"a=1"),
        ("  ; charset=utf-8", b'{"a":"1"}'),
    ],
)
def test_body_by_content_type(content_type: str | None, body: bytes) -> None:
    assert decode(content_type=content_type, body=body, query=b"") == {"a": "1"}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "multipart/form-data; boundary=x", "application/x"]
)
def test_other_content_types_ignore_the_body(content_type: str) -> None:
    # Not even the encoding is checked: the body is not read.
    for body in (b'{"a":"1"}', b"a=1", b"\xff\xfe"):
        assert decode(content_type=content_type, body=body, query=b"q=1") == {"q": "1"}


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/xml", FORM, None]
)
@pytest.mark.parametrize("body", [b"", b"  \r\n\t "])
def test_empty_body_means_no_parameters(content_type: str | None, body: bytes) -> None:
    assert decode(content_type=content_type, body=body, query=b"a=1") == {"a": "1"}


def test_a_utf8_bom_is_skipped() -> None:
    assert decode(content_type=None, body=b'\xef\xbb\xbf{"a":"1"}', query=b"") == {
        "a": "1"
    }
    assert decode(
        content_type="application/json", body=b'\xef\xbb\xbf{"a":"1"}', query=b""
    ) == {"a": "1"}


# --- JSON ---------------------------------------------------------------------


def test_json_keeps_types_and_order() -> None:
    body = b'{"n":1,"f":2.5,"t":true,"z":null,"s":"\xc3\xa9","o":{"k":[1,"2"]}}'
    params = decode(content_type="application/json", body=body, query=b"")
    assert params == {
        "n": 1,
        "f": 2.5,
        "t": True,
        "z": None,
        "s": "\u00e9",
        "o": {"k": [1, "2"]},
    }
    assert list(params) == ["n", "f", "t", "z", "s", "o"]


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'["a"]',
        b'"a"',
        b"1",
        b"null",
        b"true",
        b"{",
        b'{"a":}',
        b"{'a':1}",
        b'{"a":NaN}',
        b'{"a":Infinity}',
        b'{"a":-Infinity}',
        b'{"a":1e400}',
        b'{"a":' + b"1" * 5000 + b"}",
        b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"a":' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}",
    ],
)
def test_bad_json_is_60002(body: bytes) -> None:
    with pytest.raises(BadRequest) as info:
        decode(content_type="application/json", body=body, query=b"")
    assert info.value.error_code == "60002"
    assert info.value.message == "Invalid request"


def test_json_nesting_up_to_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1  # the top-level object is one container
    body = b'{"a":' + b"[" * depth + b"]" * depth + b"}"
    assert decode(content_type="application/json", body=body, query=b"")


@pytest.mark.parametrize("content_type", ["application/json", None])
@pytest.mark.parametrize(
    "body", [b'{"a":"\xff"}', b'{"a":"\xc3"}', b'{"\xed\xa0\x80":1}']
)
def test_invalid_utf8_json_is_60005_not_60002(
    content_type: str | None, body: bytes
) -> None:
    with pytest.raises(BadEncoding):
        decode(content_type=content_type, body=body, query=b"")


@pytest.mark.parametrize(
    "body", [b'{"a":"\\ud800"}', b'{"\\udfff":1}', b'{"a":[{"b":"x\\ud83d"}]}']
)
def test_lone_surrogate_escapes_are_60005(body: bytes) -> None:
    with pytest.raises(BadEncoding):
        decode(content_type="application/json", body=body, query=b"")


def test_surrogate_pairs_are_fine() -> None:
    params = decode(
        content_type="application/json", body=b'{"a":"\\ud83d\\ude00"}', query=b""
    )
    assert params == {"a": "\U0001f600"}


@pytest.mark.parametrize("content_type", [FORM, "application/xml", None])
def test_invalid_utf8_in_other_bodies_is_60005(content_type: str | None) -> None:
    for body in (b"a=\xff", b"<hash><a>\xff</a></hash>"):
        with pytest.raises(BadEncoding):
            decode(content_type=content_type, body=body, query=b"")


# --- XML ----------------------------------------------------------------------


def xml(
    body: bytes | str, content_type: str | None = "application/xml"
) -> dict[str, Any]:
    raw = body.encode() if isinstance(body, str) else body
    return decode(content_type=content_type, body=raw, query=b"")


def test_the_register_example_of_the_spec() -> None:
    body = (
        "<user><cellphone>201-555-0123</cellphone><country_code>1</country_code>"
        "<email>ana@example.com</email></user>"
    )
    assert xml(body) == {
        "user": {
            "cellphone": "201-555-0123",
            "country_code": "1",
            "email": "ana@example.com",
        }
    }


def test_root_hash_gives_its_children() -> None:
    body = '<?xml version="1.0"?>\n<hash><api-key>k</api-key><via>sms</via></hash>'
    assert xml(body) == {"api_key": "k", "via": "sms"}


def test_typed_xml_attributes() -> None:
    body = """<hash>
      <country-code type="integer"> 44 </country-code>
      <neg type="integer">-3</neg>
      <force type="boolean">true</force>
      <off type="boolean">0</off>
      <ratio type="float">2.5</ratio>
      <gone nil="true">ignored</gone>
      <empty></empty>
      <blank-int type="integer"></blank-int>
      <when type="datetime">2024-01-01</when>
      <logos type="array">
        <logo><res>low</res><url>u1</url></logo>
        <logo><res>med</res><url>u2</url></logo>
      </logos>
      <devices type="array"/>
      <ids type="array"><id type="integer">1</id><id>2</id></ids>
      <details><Account-Number>98</Account-Number><x>&lt;&amp;&#233;</x></details>
      <!-- a comment --><?pi skipped?>
      <dup>1</dup><dup>2</dup>
    </hash>"""
    assert xml(body) == {
        "country_code": 44,
        "neg": -3,
        "force": True,
        "off": False,
        "ratio": 2.5,
        "gone": None,
        "empty": "",
        "blank_int": None,
        "when": "2024-01-01",
        "logos": [{"res": "low", "url": "u1"}, {"res": "med", "url": "u2"}],
        "devices": [],
        "ids": [1, "2"],
        "details": {"Account_Number": "98", "x": "<&\u00e9"},
        "dup": "2",
    }


def test_xml_text_is_not_trimmed_here() -> None:
    # Trimming is the getters' job (get_str), so details keep their spaces.
    assert xml("<hash><a>  x  </a></hash>") == {"a": "  x  "}


def test_other_root_is_one_parameter() -> None:
    assert xml('<force type="boolean">TRUE</force>') == {"force": True}
    assert xml("<message>hi</message>") == {"message": "hi"}


def test_namespaces_are_dropped_from_names() -> None:
    assert xml('<hash xmlns:p="urn:x"><p:a>1</p:a></hash>') == {"a": "1"}


def test_declared_encoding_is_overridden_by_utf8() -> None:
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><hash><a>\u00e9</a></hash>'
    assert xml(body.encode("utf-8")) == {"a": "\u00e9"}


@pytest.mark.parametrize(
    "body",
    [
        "<hash>",
        "<hash><a></hash>",
        "<a>1</a><b>2</b>",
        "<hash>&undefined;</hash>",
        "<hash><a>&#0;</a></hash>",
        '<hash><n type="integer">12x</n></hash>',
        '<hash><n type="integer">1.5</n></hash>',
        '<hash><n type="boolean">yes</n></hash>',
        '<hash><n type="float">abc</n></hash>',
        '<hash><n type="float">1e999</n></hash>',
        "<" + "a>" * 5,
    ],
)
def test_invalid_xml_is_60002(body: str) -> None:
    with pytest.raises(BadRequest):
        xml(body)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<hash><message>&lol9;</message></hash>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE hash [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<hash><message>&xxe;</message></hash>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE hash [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>
<hash/>"""

PLAIN_DOCTYPE = (
    b'<!DOCTYPE hash SYSTEM "http://127.0.0.1:9/x.dtd"><hash><a>1</a></hash>'
)


@pytest.mark.parametrize(
    "body", [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY, PLAIN_DOCTYPE]
)
@pytest.mark.parametrize("content_type", ["application/xml", "text/xml", None])
def test_dtds_and_entities_are_60002(body: bytes, content_type: str | None) -> None:
    with pytest.raises(BadRequest) as info:
        xml(body, content_type)
    assert info.value.error_code == "60002"


def test_the_parser_itself_expands_nothing() -> None:
    # Defense in depth: even past the DOCTYPE check, the parser resolves no entity
    # and reads no file.
    root = etree.fromstring(EXTERNAL_ENTITY, wire_params._xml_parser())
    assert "root:" not in etree.tostring(root, encoding="unicode")


def test_deep_xml_is_refused() -> None:
    ok = "<a>" * MAX_DEPTH + "x" + "</a>" * MAX_DEPTH
    xml("<hash>" + ok[3:-4] + "</hash>")
    deep = "<a>" * (MAX_DEPTH + 1) + "x" + "</a>" * (MAX_DEPTH + 1)
    with pytest.raises(BadRequest):
        xml(deep)


# --- getters ------------------------------------------------------------------


def reason(exc: pytest.ExceptionInfo[InvalidParameter]) -> tuple[str, str, str]:
    return exc.value.name, exc.value.reason, exc.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  ana@example.com \n", "ana@example.com"),
        ("", ""),
        (" ", ""),
        (1, "1"),
        (-7, "-7"),
        (5.0, "5"),
        (2.5, "2.5"),
        (True, "true"),
        (False, "false"),
        (None, None),
    ],
)
def test_get_str(value: Any, expected: str | None) -> None:
    assert get_str({"p": value}, "p") == expected


def test_get_str_missing_untrimmed_and_required() -> None:
    assert get_str({}, "p") is None
    assert get_str({"p": " x "}, "p", trim=False) == " x "
    assert get_str({"p": " x "}, "p", required=True) == "x"
    for params in ({}, {"p": None}, {"p": ""}, {"p": " \t"}):
        with pytest.raises(InvalidParameter) as info:
            get_str(params, "p", required=True)
        assert reason(info) == (
            "p",
            "Parameter is required",
            "Invalid parameter: p - Parameter is required",
        )
    with pytest.raises(InvalidParameter):
        get_str({"p": "  "}, "p", required=True, trim=False)


@pytest.mark.parametrize("value", [{"a": "b"}, [], ["x"]])
def test_get_str_refuses_containers(value: Any) -> None:
    with pytest.raises(InvalidParameter) as info:
        get_str({"p": value}, "p")
    assert info.value.reason == "Must be a string"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (44, 44),
        (0, 0),
        (-5, -5),
        (3.0, 3),
        ("351", 351),
        (" 1 ", 1),
        ("007", 7),
        ("", None),
        ("  ", None),
        (None, None),
        ("9" * 40, int("9" * 40)),
    ],
)
def test_get_int(value: Any, expected: int | None) -> None:
    assert get_int({"p": value}, "p") == expected


@pytest.mark.parametrize(
    "value",
    [
        "+1",
        "-1",
        "1.0",
        "1e3",
        "abc",
        "1 2",
        "\u0661",
        "\uff11",
        True,
        False,
        2.5,
        float("nan"),
        float("inf"),
        [],
        {},
        ["1"],
        "9" * 5000,
    ],
)
def test_bad_ints(value: Any) -> None:
    with pytest.raises(InvalidParameter) as info:
        get_int({"country_code": value}, "country_code")
    assert reason(info) == (
        "country_code",
        "Must be an integer",
        "Invalid parameter: country_code - Must be an integer",
    )


def test_get_int_allow_plus_takes_exactly_one_plus() -> None:
    assert get_int({"c": "+1"}, "c", allow_plus=True) == 1
    assert get_int({"c": " +44 "}, "c", allow_plus=True) == 44
    for bad in ("++1", "+", "+-1", "+ 1"):
        with pytest.raises(InvalidParameter):
            get_int({"c": bad}, "c", allow_plus=True)


def test_get_int_required() -> None:
    for params in ({}, {"p": None}, {"p": ""}, {"p": "  "}):
        with pytest.raises(InvalidParameter) as info:
            get_int(params, "p", required=True)
        assert info.value.reason == "Parameter is required"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        (" tRuE ", True),
        ("1", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        ("0", False),
        ("", False),
    ],
)
def test_get_bool(value: Any, expected: bool) -> None:
    assert get_bool({"force": value}, "force", default=not expected) is expected


def test_get_bool_default() -> None:
    assert get_bool({}, "force", default=True) is True
    assert get_bool({"force": None}, "force", default=False) is False


@pytest.mark.parametrize("value", ["yes", "no", "t", "2", 2, -1, 1.0, [], {}, "truee"])
def test_bad_bools(value: Any) -> None:
    with pytest.raises(InvalidParameter) as info:
        get_bool({"force": value}, "force", default=False)
    assert reason(info) == (
        "force",
        "Must be a boolean",
        "Invalid parameter: force - Must be a boolean",
    )


def test_get_object() -> None:
    assert get_object({"d": {"k": "v"}}, "d") == {"k": "v"}
    empties: list[dict[str, Any]] = [{}, {"d": None}, {"d": ""}, {"d": " "}, {"d": []}]
    for params in empties:
        assert get_object(params, "d") is None
    for value in ("x", 1, ["a"], True):
        with pytest.raises(InvalidParameter) as info:
            get_object(
                {"d": value},
                "d",
                reason="Must be an object of at most 50 string values",
            )
        assert info.value.reason == "Must be an object of at most 50 string values"
    with pytest.raises(InvalidParameter) as info:
        get_object({"d": "x"}, "d")
    assert info.value.reason == "Must be an object"


def test_as_list() -> None:
    assert as_list(["a"]) == ["a"]
    assert as_list({"1": "b", "0": "a", "10": "c", "2": "x"}) == ["a", "b", "x", "c"]
    assert as_list(form("a[1][res]=med&a[0][res]=low")["a"]) == [
        {"res": "low"},
        {"res": "med"},
    ]
    assert as_list({}) == []
    assert as_list({"0": "a", "x": "b"}) is None
    assert as_list({"-1": "a"}) is None
    assert as_list("a") is None
    assert as_list(None) is None


# --- never anything but an ApiError -------------------------------------------

TOKENS = [
    "a",
    "b",
    "[",
    "]",
    "[]",
    "=",
    "&",
    "+",
    "%",
    "%E2",
    "%82",
    "%AC",
    "%FF",
    "%5B",
    "{",
    "}",
    '"',
    ":",
    ",",
    "<",
    ">",
    "</",
    "/>",
    "hash",
    "!DOCTYPE",
    "&amp;",
    'type="integer"',
    'type="array"',
    'nil="true"',
    " ",
    "\n",
    "1",
    "-1",
    "\\u",
    "\ud800",
]
CONTENT_TYPES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/json",
            "application/xml",
            "text/xml",
            FORM,
            "text/plain",
            "",
            "application/json; charset=latin-1",
        ]
    ),
    st.text(max_size=30),
)
BYTES = st.one_of(
    st.binary(max_size=200),
    st.lists(st.sampled_from(TOKENS), max_size=40).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
    ),
)


@settings(max_examples=300)
@given(content_type=CONTENT_TYPES, body=BYTES, raw_query=BYTES)
def test_decode_raises_only_api_errors(
    content_type: str | None, body: bytes, raw_query: bytes
) -> None:
    try:
        params = decode(content_type=content_type, body=body, query=raw_query)
    except ApiError as exc:
        assert exc.error_code in ("60002", "60005")
    else:
        assert isinstance(params, dict)
        assert all(isinstance(key, str) for key in params)


@settings(max_examples=200)
@given(st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=5))
def test_flat_forms_round_trip(pairs: dict[str, str]) -> None:
    # Keys free of brackets and non-empty are plain parameters.
    plain = {k: v for k, v in pairs.items() if k and "[" not in k and "]" not in k}
    assert form(urlencode(plain)) == plain
