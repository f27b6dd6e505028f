"""Response bodies: a dict -> compact JSON or Rails-style XML bytes (API.md §1.4-1.5).

Renders what the handlers and the error handler built; it does not decide shapes,
messages or status codes, and it does not know Flask.

Choices where API.md is silent (each one is tested):

* JSON: a string with a lone surrogate (no UTF-8 form) makes the whole body fall
  back to ``ensure_ascii=True`` (``\\ud800`` escapes), still valid JSON; a float
  NaN or infinity renders as ``null``.
* XML: a float is ``type="float"`` with Python's ``repr`` (``2.5``, ``1e+20``;
  ``NaN``, ``Infinity``, ``-Infinity``). Characters XML 1.0 cannot carry (``\\x00``,
  ``\\x0b``, lone surrogates, U+FFFE, U+FFFF) become U+FFFD, in text and in the
  ``key`` attribute alike. Dasherizing keeps leading and trailing underscores, as
  Rails' ``XmlMini.rename_key`` does (``_app_name`` -> ``<_app-name>``).
  ``<item key="…">`` holds the original key, not the dasherized one. A name
  with a colon counts as invalid (no namespaces), and so does one longer than
  ``MAX_NAME_LENGTH`` (parsers refuse very long names).
  Tuples render like lists. A value of another type raises ``TypeError`` (a bug
  in the caller, never input).

lxml and the XML name patterns load on the first XML body: a mock that only ever
answers JSON (most tests, and start-up) does not pay their ~25 ms.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["MAX_NAME_LENGTH", "XML_PROLOG", "Format", "content_type", "render"]

Format = Literal["json", "xml"]

MAX_NAME_LENGTH = 1000
"""Longest key rendered as an element name; longer ones use ``<item key="…">``."""

XML_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n'
"""Written by us: lxml's own declaration uses single quotes (API.md §1.5)."""

# XML 1.0 (5th edition) §2.2 Char, complemented.
_NOT_XML_CHAR = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
# XML 1.0 (5th edition) §2.3 NameStartChar / NameChar, without ":" (namespaces).
_NAME_START = (
    "A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_NAME = f"[{_NAME_START}][{_NAME_START}\\-.0-9\xb7\u0300-\u036f\u203f-\u2040]*"


def content_type(fmt: Format) -> str:
    """The Content-Type header of a body in *fmt*."""
    return f"application/{fmt}; charset=utf-8"


def render(body: Mapping[str, Any], fmt: Format, *, root: str | None = None) -> bytes:
    """*body* as UTF-8 bytes: compact JSON or XML (API.md §1.4, §1.5).

    The XML root is ``<errors>`` when ``body["success"]`` is the boolean False,
    else ``<hash>``; *root* overrides it (JSON ignores *root*).
    """
    if fmt == "json":
        return _render_json(body)
    from lxml import etree

    if root is None:
        root = "errors" if body.get("success") is False else "hash"
    element = etree.Element(root)
    _fill(element, body)
    return (
        XML_PROLOG + etree.tostring(element, pretty_print=True, encoding="unicode")
    ).encode("utf-8")


# --- JSON ---------------------------------------------------------------------


def _render_json(body: Mapping[str, Any]) -> bytes:
    try:
        text = _dumps(body, ascii_only=False)
    except ValueError:  # NaN or infinity: rare, so only then walk the body
        body = _finite(body)
        text = _dumps(body, ascii_only=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escape it, JSON allows that
        return _dumps(body, ascii_only=True).encode("ascii")


# API.md §1.4: compact, no space after ":" or ",". Built once: json.dumps with
# options builds a new encoder per call, a third of the cost of a small body.
_ENCODERS = {
    ascii_only: json.JSONEncoder(
        separators=(",", ":"), ensure_ascii=ascii_only, allow_nan=False
    )
    for ascii_only in (False, True)
}


def _dumps(body: Mapping[str, Any], *, ascii_only: bool) -> str:
    return _ENCODERS[ascii_only].encode(body)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


# --- XML ----------------------------------------------------------------------


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # _NOT_XML_CHAR and _NAME take ~5 ms each to compile: on first use only.
    return re.compile(pattern)


def _clean(text: str) -> str:
    return _compiled(_NOT_XML_CHAR).sub("\ufffd", text)


def _valid_name(name: str) -> bool:
    """Whether *name* may be an element name (API.md §1.5 rule 3)."""
    # libxml2 (lxml, Nokogiri) refuses names of more than 50 000 characters unless
    # told otherwise: a long key goes into the key attribute (and no cache).
    return len(name) <= MAX_NAME_LENGTH and _valid_short_name(name)


@functools.lru_cache(maxsize=1024)
def _valid_short_name(name: str) -> bool:
    from lxml import etree

    if not _compiled(_NAME).fullmatch(name) or name[:3].lower() == "xml":
        return False
    try:
        etree.Element(name)  # libxml2 may be stricter than XML 1.0 5th edition
    except ValueError:
        return False
    return True


def _dasherize(key: str) -> str:
    """``error_code`` -> ``error-code``; leading and trailing underscores stay
    (Rails: ``_app_name`` -> ``_app-name``), so such keys remain XML names."""
    core = key.strip("_")
    if not core:
        return key
    left = key[: len(key) - len(key.lstrip("_"))]
    right = key[len(key.rstrip("_")) :]
    return left + core.replace("_", "-") + right


def _child(parent: etree._Element, key: Any) -> etree._Element:
    """A child element for *key*: dasherized, else ``<item key="…">``."""
    from lxml import etree

    key = str(key)
    name = _dasherize(key)
    if _valid_name(name):
        return etree.SubElement(parent, name)
    element = etree.SubElement(parent, "item")
    element.set("key", _clean(key))
    return element


def _item_name(key: Any) -> str:
    """Array children: the array's dasherized name minus a trailing ``s``."""
    name = _dasherize(str(key))
    if name.endswith("s") and _valid_name(name[:-1]):
        return name[:-1]
    return "item"


def _fill(element: etree._Element, mapping: Mapping[Any, Any]) -> None:
    for key, value in mapping.items():
        _set(_child(element, key), value, key)


def _set(element: etree._Element, value: Any, key: Any) -> None:
    """Give *element* the content and type attributes of *value* (§1.5 rule 4)."""
    from lxml import etree

    if value is None:
        element.set("nil", "true")
    elif isinstance(value, str):
        element.text = _clean(value)  # "" still renders <reason></reason>
    elif isinstance(value, bool):  # before int: bool is an int
        element.set("type", "boolean")
        element.text = "true" if value else "false"
    elif isinstance(value, int):
        element.set("type", "integer")
        element.text = str(value)
    elif isinstance(value, float):
        element.set("type", "float")
        element.text = _float_text(value)
    elif isinstance(value, Mapping):
        _fill(element, value)
    elif isinstance(value, (list, tuple)):
        element.set("type", "array")
        name = _item_name(key)
        for item in value:
            _set(etree.SubElement(element, name), item, name)
    else:
        raise TypeError(f"cannot render {type(value).__name__} as XML")


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)
