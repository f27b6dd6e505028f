"""Request parameters: raw query and body bytes -> one dict, plus typed getters.

Decodes the query string and the body (JSON, form with Rails-style bracket keys,
hardened XML) exactly as API.md §1.3 says, merges them (body over query, key by
key), and reads scalars out of the result with the 60004 reasons of API.md §2.

Pure: takes bytes, returns Python values, raises only ``ApiError`` subclasses
(``BadRequest`` 60002, ``BadEncoding`` 60005, ``InvalidParameter`` 60004). It does
not import Flask, does not merge path segments (the request pipeline does) and
knows nothing about any endpoint.

Choices where API.md is silent (each one is tested):

* Bracket-key conflicts never fail: the later parameter wins and replaces what was
  there (``a=1&a[b]=2`` -> ``{"a":{"b":"2"}}``; ``a[b]=2&a=1`` -> ``{"a":"1"}``).
* A key that is not ``name`` followed by zero or more ``[...]`` groups (``a[b``,
  ``a]``, ``[a]``, ``a[b]c``) is one literal top-level key. Empty keys are dropped.
* More than ``MAX_DEPTH`` nested containers (objects or lists, the parameter dict
  counting as one; for XML, elements) -> ``BadRequest``, whatever the encoding.
* JSON: ``NaN``/``Infinity``, numbers that overflow to infinity, and strings with
  lone surrogates (``"\\ud800"``: text that has no UTF-8 form) are refused with
  ``BadRequest`` and ``BadEncoding`` respectively. A leading UTF-8 BOM is skipped.
* A Content-Type that is blank counts as no Content-Type.
* XML: repeated child names -> the last wins; blank text of a ``type="integer"`` or
  ``type="boolean"`` element -> ``None``; ``type="float"`` -> float; other
  ``type`` values -> text; comments and processing instructions are skipped;
  namespaces are dropped from names; the document is read as UTF-8 whatever its
  declaration says. The DOCTYPE/ENTITY check runs on the raw bytes before parsing,
  so those two strings are refused anywhere, even inside CDATA or a comment.

lxml is imported by the XML functions on first use, not with this module: a mock
that never reads an XML body (most tests, and start-up) does not pay its ~15 ms.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

if TYPE_CHECKING:
    from lxml import etree

from .errors import BadEncoding, BadRequest, InvalidParameter

__all__ = [
    "MAX_DEPTH",
    "Params",
    "as_list",
    "decode",
    "get_bool",
    "get_int",
    "get_object",
    "get_str",
]

Params = dict[str, Any]

MAX_DEPTH = 64
"""Most nested containers a request may carry (refused beyond: 400/60002)."""

_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_BRACKET_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_XML_INT = re.compile(r"[+-]?[0-9]+")
_REQUIRED = "Parameter is required"


# --- decoding -----------------------------------------------------------------


def decode(*, content_type: str | None, body: bytes, query: bytes) -> Params:
    """Parameters of a request: the query, then the body on top (API.md §1.3).

    Raises ``BadRequest`` for a malformed body and ``BadEncoding`` for bytes that
    are not UTF-8 in the body or in the percent-decoded query.
    """
    params = _decode_form(query)
    params.update(_decode_body(content_type, body))
    return params


def _decode_body(content_type: str | None, body: bytes) -> Params:
    kind = _media_type(content_type)
    if kind is not None and kind not in _BODY_KINDS:
        return {}  # API.md §1.3: any other type -> body ignored (not even checked)
    if not body.strip(_BLANK):
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadEncoding() from None
    if body.startswith(_BOM):
        body = body[len(_BOM) :]
        text = text[1:]
    if kind is None:
        first = body.lstrip(_BLANK)[:1]
        kind = {b"{": "json", b"<": "xml"}.get(first, "form")
    else:
        kind = _BODY_KINDS[kind]
    if kind == "json":
        return _decode_json(text)
    if kind == "xml":
        return _decode_xml(body)
    return _decode_form(body)


_BODY_KINDS = {
    "application/json": "json",
    "application/x-www-form-urlencoded": "form",
    "application/xml": "xml",
    "text/xml": "xml",
}


def _media_type(content_type: str | None) -> str | None:
    """The lower-case type without parameters, or None when there is none."""
    if content_type is None:
        return None
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind or None


# --- JSON ---------------------------------------------------------------------


def _reject_constant(_: str) -> Any:
    raise BadRequest()


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadRequest()
    return value


def _decode_json(text: str) -> Params:
    try:
        value = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float
        )
    except (ValueError, RecursionError):
        # ValueError covers JSONDecodeError and ints beyond Python's digit limit.
        raise BadRequest() from None
    if not isinstance(value, dict):
        raise BadRequest()  # API.md §1.3: the top level must be an object
    _check_json(value)
    return value


def _check_json(value: Params) -> None:
    """Refuse deep nesting (60002) and lone surrogates (60005), without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise BadEncoding()
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise BadRequest()
            if isinstance(item, dict):
                for key, child in item.items():
                    stack.append((key, depth))
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)


# --- form and query -----------------------------------------------------------


def _decode_form(raw: bytes) -> Params:
    """``a[b]=1&a[]=x`` -> nested parameters (API.md §1.3 bracket keys)."""
    params: Params = {}
    for pair in raw.split(b"&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition(b"=")
        key = _unquote(raw_key)
        if not key:
            continue
        _insert(params, key, _unquote(raw_value))
    return params


def _unquote(raw: bytes) -> str:
    """``+`` is a space, ``%XX`` are bytes, and the bytes must be UTF-8."""
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise BadEncoding() from None


def _split_key(key: str) -> tuple[str, list[str]]:
    match = _BRACKET_KEY.fullmatch(key)
    if match is None:
        return key, []  # malformed brackets: the whole key, literally
    return match.group(1), _SEGMENT.findall(match.group(2))


def _insert(params: Params, key: str, value: str) -> None:
    """Put one form pair into *params* the way Rack/Rails do; later pairs win."""
    name, segments = _split_key(key)
    if len(segments) >= MAX_DEPTH:
        raise BadRequest()
    container: dict[str, Any] = params
    i = 0
    while i < len(segments):
        segment = segments[i]
        current = container.get(name)
        if segment:  # a[b]: an object
            if not isinstance(current, dict):
                current = container[name] = {}
            container, name, i = current, segment, i + 1
            continue
        # a[]: a list
        items = current if isinstance(current, list) else []
        container[name] = items
        rest = segments[i + 1 :]
        if not rest:
            items.append(value)
            return
        # a[][k]=v: fill the last element until k repeats in it (API.md §1.3).
        last = items[-1] if items else None
        if not isinstance(last, dict) or _has_path(last, rest):
            last = {}
            items.append(last)
        container, name, i = last, rest[0], i + 2
    container[name] = value


def _has_path(obj: dict[str, Any], path: list[str]) -> bool:
    """Whether *path* is already set in *obj* (a path through a list never is)."""
    if "" in path:
        return False
    node: Any = obj
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


# --- XML ----------------------------------------------------------------------


def _xml_parser() -> etree.XMLParser:
    from lxml import etree

    # API.md §1.3: no DTD, no entity expansion, no network. The encoding is forced:
    # the body was already checked to be UTF-8, whatever its declaration says.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        encoding="utf-8",
    )


def _decode_xml(body: bytes) -> Params:
    from lxml import etree

    # Refused before parsing, so an entity bomb costs nothing (API.md §1.3).
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise BadRequest()
    try:
        root = etree.fromstring(body, _xml_parser())
    except (etree.LxmlError, ValueError):
        raise BadRequest() from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype:  # type: ignore[union-attr]  # absent from lxml-stubs 0.5
        raise BadRequest()
    if _xml_name(root) == "hash":
        return _xml_object(root, 1)
    return {_xml_name(root): _xml_value(root, 1)}


def _xml_name(element: etree._Element) -> str:
    from lxml import etree

    return etree.QName(element).localname.replace("-", "_")


def _xml_children(element: etree._Element) -> list[etree._Element]:
    from lxml import etree

    children = []
    for child in element:
        if isinstance(child, etree._Entity):
            raise BadRequest()
        if isinstance(child.tag, str):
            children.append(child)
    return children


def _xml_object(element: etree._Element, depth: int) -> Params:
    return {
        _xml_name(child): _xml_value(child, depth + 1)
        for child in _xml_children(element)
    }


def _xml_value(element: etree._Element, depth: int) -> Any:
    """One element's value by its attributes and content (API.md §1.3)."""
    if depth > MAX_DEPTH:
        raise BadRequest()
    if element.get("nil") == "true":
        return None
    kind = element.get("type")
    if kind == "array":
        return [_xml_value(child, depth + 1) for child in _xml_children(element)]
    children = _xml_children(element)
    if children:
        return _xml_object(element, depth)
    text = element.text or ""
    if kind == "integer":
        return _xml_int(text)
    if kind == "boolean":
        return _xml_bool(text)
    if kind == "float":
        return _xml_float(text)
    return text


def _xml_int(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not _XML_INT.fullmatch(text):
        raise BadRequest()
    try:
        return int(text)
    except ValueError:  # beyond Python's digit limit
        raise BadRequest() from None


def _xml_bool(text: str) -> bool | None:
    text = text.strip().lower()
    if not text:
        return None
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise BadRequest()


def _xml_float(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return _finite_float(text)
    except ValueError:
        raise BadRequest() from None


# --- getters ------------------------------------------------------------------


def get_str(
    params: Params, name: str, *, required: bool = False, trim: bool = True
) -> str | None:
    """A string parameter; JSON numbers and booleans read as their text.

    Integral floats read without a fraction (``5.0`` -> ``"5"``), other floats as
    ``repr`` (``"2.5"``), booleans as ``"true"``/``"false"``. Missing or null ->
    None; blank is returned as ``""`` unless *required*. Objects and lists ->
    ``Must be a string``.
    """
    value = params.get(name)
    if value is None:
        text = None
    elif isinstance(value, str):
        text = value.strip() if trim else value
    elif isinstance(value, bool):  # before int: bool is an int
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        integral = math.isfinite(value) and value.is_integer()
        text = str(int(value)) if integral else repr(value)
    else:
        raise InvalidParameter(name, "Must be a string")
    if required and (text is None or not text.strip()):
        raise InvalidParameter(name, _REQUIRED)
    return text


def get_int(
    params: Params, name: str, *, required: bool = False, allow_plus: bool = False
) -> int | None:
    """An integer parameter: a JSON integral number or ASCII digits (API.md §1.3).

    *allow_plus* accepts one leading ``+`` (``country_code``). Missing, null or
    blank -> None (or ``Parameter is required``). Callers check ranges and signs:
    a JSON ``-5`` is returned as is, while the string ``"-5"`` is refused.
    """
    value = params.get(name)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            value = None
        else:
            if allow_plus and text.startswith("+"):
                text = text[1:]
            if not (text.isascii() and text.isdigit()):
                raise InvalidParameter(name, "Must be an integer")
            try:
                return int(text)
            except ValueError:  # beyond Python's digit limit
                raise InvalidParameter(name, "Must be an integer") from None
    if value is None:
        if required:
            raise InvalidParameter(name, _REQUIRED)
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    raise InvalidParameter(name, "Must be an integer")


_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0", ""})


def get_bool(params: Params, name: str, *, default: bool) -> bool:
    """A boolean: JSON true/false or 1/0, or ``true``/``false``/``1``/``0`` in any
    case; ``""`` is false; missing or null -> *default* (API.md §1.3)."""
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise InvalidParameter(name, "Must be a boolean")


def get_object(
    params: Params, name: str, *, reason: str = "Must be an object"
) -> dict[str, Any] | None:
    """An object parameter, or None when missing, null, blank or an empty list.

    The empty list is there because PHP encodes an empty map as ``[]``. Any other
    value -> ``InvalidParameter(name, reason)``; callers pass their §2 reason.
    """
    value = params.get(name)
    if isinstance(value, dict):
        return value
    if value is None or value == [] or (isinstance(value, str) and not value.strip()):
        return None
    raise InvalidParameter(name, reason)


def as_list(value: Any) -> list[Any] | None:
    """A list as is; an object whose keys are all decimal integers as its values in
    numeric order (``a[0][k]=…`` forms, API.md §1.3); anything else None."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and all(
        isinstance(key, str) and key.isascii() and key.isdigit() for key in value
    ):
        order = sorted(value, key=lambda key: (len(key.lstrip("0")), key.lstrip("0")))
        return [value[key] for key in order]
    return None
