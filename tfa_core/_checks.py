"""Argument checks of :mod:`tfa_core.client`, made before anything is sent.

Each check returns the value (or its wire form) or raises
:class:`~tfa_core.errors.InvalidParameter` whose message starts with the parameter's
name (``"token: must be 6 to 12 ASCII digits, got '12a'"``). The limits are those of
API.md §3 and §2. Pure: no I/O.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence

from .approval import Logo
from .errors import InvalidParameter

__all__ = [
    "ACTIVITIES",
    "boolean",
    "choice",
    "data",
    "digits",
    "email",
    "int_in",
    "logos",
    "opt_bool",
    "opt_text",
    "positive",
    "segment",
    "string_map",
    "text",
    "user_id",
]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # API.md §3.1
_LOGO_RES = ("default", "low", "med", "high")  # API.md §3.18
ACTIVITIES = ("password_reset", "banned", "unbanned", "cookie_login")  # §3.5
_MAX_DETAILS = 50  # API.md §3.18


def boolean(name: str, value: object) -> bool:
    """A bool (not 0/1)."""
    if isinstance(value, bool):
        return value
    raise InvalidParameter(f"{name}: must be a boolean, got {value!r}")


def int_in(name: str, value: object, lo: int, hi: int | None = None) -> int:
    """An int (not a bool) in [lo, hi]; *hi* None: no upper bound."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and lo <= value
        and (hi is None or value <= hi)
    ):
        return value
    rule = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
    raise InvalidParameter(f"{name}: must be an integer {rule}, got {value!r}")


def digits(name: str, value: object, lo: int, hi: int) -> str:
    """A string of lo to hi ASCII digits (tokens, codes: leading zeros count)."""
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and lo <= len(value) <= hi
    ):
        return value
    raise InvalidParameter(f"{name}: must be {lo} to {hi} ASCII digits, got {value!r}")


def text(name: str, value: object, max_len: int | None = None) -> str:
    """A non-blank string, at most *max_len* characters once trimmed."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameter(f"{name}: must be a non-blank string, got {value!r}")
    if max_len is not None and len(value.strip()) > max_len:
        raise InvalidParameter(f"{name}: must be at most {max_len} characters")
    return value


def opt_text(name: str, value: object) -> str | None:
    """None, or a non-blank string."""
    return None if value is None else text(name, value)


def opt_bool(name: str, value: object) -> bool | None:
    """None, or a bool."""
    if value is None or isinstance(value, bool):
        return value
    raise InvalidParameter(f"{name}: must be a boolean, got {value!r}")


def positive(name: str, value: object, *, allow_zero: bool) -> float:
    """A number > 0 (or >= 0 with *allow_zero*), as a float."""
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (value > 0 or (allow_zero and value == 0))
    ):
        return float(value)
    rule = "must be a number >= 0" if allow_zero else "must be a number > 0"
    raise InvalidParameter(f"{name}: {rule}, got {value!r}")


def choice(name: str, value: object, choices: Sequence[str]) -> str:
    """One of *choices*."""
    if isinstance(value, str) and value in choices:
        return value
    raise InvalidParameter(
        f"{name}: must be one of: {', '.join(choices)}, got {value!r}"
    )


def email(value: object) -> str:
    """An e-mail address by the rule of API.md §3.1."""
    if isinstance(value, str) and _EMAIL.fullmatch(value.strip()):
        return value
    raise InvalidParameter(f"email: must be an e-mail address, got {value!r}")


def segment(name: str, value: object) -> str:
    """A path segment, percent-encoded (API.md §1.3)."""
    return urllib.parse.quote(text(name, value), safe="")


def user_id(user_id: object) -> str:
    """The path segment of a user id (``authy_id``, an integer)."""
    return str(int_in("user_id", user_id, 0))


def string_map(name: str, value: object) -> dict[str, str] | None:
    """None, or at most 50 string keys to string values (details)."""
    if value is None:
        return None
    if isinstance(value, Mapping) and len(value) <= _MAX_DETAILS:
        result = {k: v for k, v in value.items() if isinstance(k, str)}
        if len(result) == len(value) and all(
            isinstance(v, str) for v in result.values()
        ):
            return result
    rule = f"must be a mapping of at most {_MAX_DETAILS} string keys and values"
    raise InvalidParameter(f"{name}: {rule}, got {value!r}")


def _logo(item: object) -> dict[str, str]:
    res: object = None
    url: object = None
    if isinstance(item, Logo):
        res, url = item.res, item.url
    elif isinstance(item, Mapping):
        res, url = item.get("res"), item.get("url")
    if isinstance(res, str) and res in _LOGO_RES and isinstance(url, str) and url:
        return {"res": res, "url": url}
    rule = "must be a list of {res, url} with res one of: " + ", ".join(_LOGO_RES)
    raise InvalidParameter(f"logos: {rule}, got {item!r}")


def logos(value: object) -> list[dict[str, str]] | None:
    """None, or the wire form of a list of Logo or {res, url} mappings."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise InvalidParameter(f"logos: must be a list or tuple, got {value!r}")
    return [_logo(item) for item in value]


def data(value: object) -> dict[str, object] | None:
    """None, or an activity's data: string keys to JSON scalars."""
    if value is None:
        return None
    scalar = (str, int, float, bool, type(None))
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, scalar) for k, v in value.items()
    ):
        return dict(value)
    rule = "must be a mapping of strings to strings, numbers, booleans or None"
    raise InvalidParameter(f"data: {rule}, got {value!r}")
