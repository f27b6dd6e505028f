"""Reading a decoded JSON body of the tfa API into typed fields (API.md §1.4, §3).

Each reader takes ``(object, key, where-prefix)`` and returns the value of one JSON
type or raises :class:`~tfa_core.transport.TfaProtocolError` naming the field
(``"status.email: expected a string or null, got 3"``). Shared by every result
module of :mod:`tfa_core.results`. Pure: no I/O, no result types.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from ..transport import TfaProtocolError

__all__ = [
    "Body",
    "Reader",
    "array",
    "bad",
    "boolean",
    "integer",
    "mapping",
    "objects",
    "one_of",
    "opt_boolean",
    "opt_integer",
    "opt_mapping",
    "opt_string",
    "opt_timestamp",
    "read_fields",
    "str_map",
    "str_tuple",
    "string",
    "success",
    "timestamp",
    "typed",
]

Body = Mapping[str, Any]
Reader = Callable[[Body, str, str], Any]


def bad(where: str, key: str, expected: str, value: object) -> TfaProtocolError:
    """The protocol error for *key* of *where* that is not *expected*."""
    return TfaProtocolError(f"{where}{key}: expected {expected}, got {value!r}")


def typed(kind: type, expected: str, *, optional: bool) -> Reader:
    """A reader of one JSON type (``true`` is no integer); null too if *optional*."""

    def read(obj: Body, key: str, where: str) -> Any:
        value = obj.get(key)
        if value is None and optional:
            return None
        # bool is an int in Python but not in JSON: an id must not be ``true``.
        if not isinstance(value, kind) or (
            isinstance(value, bool) and kind is not bool
        ):
            raise bad(where, key, expected, value)
        return value

    return read


string = typed(str, "a string", optional=False)
opt_string = typed(str, "a string or null", optional=True)
integer = typed(int, "an integer", optional=False)
opt_integer = typed(int, "an integer or null", optional=True)
boolean = typed(bool, "a boolean", optional=False)
opt_boolean = typed(bool, "a boolean or null", optional=True)
mapping = typed(dict, "an object", optional=False)
opt_mapping = typed(dict, "an object or null", optional=True)
array = typed(list, "an array", optional=False)


def opt_timestamp(obj: Body, key: str, where: str) -> float | None:
    """An API.md §3.19 time (``YYYY-MM-DDTHH:MM:SSZ``, UTC) in seconds; null: None."""
    text = opt_string(obj, key, where)
    if text is None:
        return None
    try:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise bad(where, key, "a YYYY-MM-DDTHH:MM:SSZ time", text) from None
    return moment.replace(tzinfo=timezone.utc).timestamp()


def timestamp(obj: Body, key: str, where: str) -> float:
    """As :func:`opt_timestamp`, but null is refused."""
    value = opt_timestamp(obj, key, where)
    if value is None:
        raise bad(where, key, "a time", None)
    return value


def str_map(obj: Body, key: str, where: str) -> dict[str, str] | None:
    """An object of strings (a copy), or None for null."""
    value = opt_mapping(obj, key, where)
    if value is not None and not all(isinstance(v, str) for v in value.values()):
        raise bad(where, key, "an object of strings", value)
    return None if value is None else dict(value)


def str_tuple(obj: Body, key: str, where: str) -> tuple[str, ...]:
    """An array of strings."""
    value = array(obj, key, where)
    if not all(isinstance(v, str) for v in value):
        raise bad(where, key, "an array of strings", value)
    return tuple(value)


def objects(obj: Body, key: str, where: str) -> list[dict[str, Any]]:
    """An array of objects."""
    value = array(obj, key, where)
    if not all(isinstance(v, dict) for v in value):
        raise bad(where, key, "an array of objects", value)
    return list(value)


def read_fields(obj: Body, where: str, **readers: Reader) -> dict[str, Any]:
    """``{name: reader(obj, name, where)}``: one typed value per field."""
    return {name: reader(obj, name, where) for name, reader in readers.items()}


def success(body: Body, expected: bool | str = True) -> None:
    """Refuse a body whose ``success`` is not exactly *expected*."""
    # API.md §1.4: success is JSON true, except the string "true" of a verify.
    value = body.get("success")
    if type(value) is not type(expected) or value != expected:
        raise bad("", "success", repr(expected), value)


def one_of(kind: type[enum.Enum]) -> Reader:
    """A reader of a string naming a member of *kind* by value."""

    def read(obj: Body, key: str, where: str) -> Any:
        text = string(obj, key, where)
        try:
            return kind(text)
        except ValueError:
            names = ", ".join(str(m.value) for m in kind)
            raise bad(where, key, "one of " + names, text) from None

    return read
