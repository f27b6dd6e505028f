"""Validation of control-API input: app settings (API.md §7.4) and faults (§7.12).

Pure functions from the decoded JSON body to checked Python values; a bad field
raises ``InvalidParameter(<field>, <reason>)`` (400/60004), the first bad field in
the order of the spec. Checks that need state (a key already in use, an unknown app)
are the backend's. The control API is JSON in, so types are strict: an integer
field takes a JSON integer, a flag a JSON boolean. Unknown fields are ignored, as
the API ignores unknown parameters (§3).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tfa_core.ratelimit import Limit

from ..wire.errors import InvalidParameter
from .records import LIMIT_KEYS

__all__ = [
    "APP_FLAGS",
    "EMAIL",
    "FAULT_ENDPOINTS",
    "MAX_TIME",
    "callback_url_problem",
    "parse_app_settings",
    "parse_fault",
]

_REQUIRED = "Parameter is required"
_STRING = "Must be a string"
_BOOLEAN = "Must be a boolean"

# API.md §7.4: the boolean settings of an app, in the order of its document.
APP_FLAGS = (
    "sms_enabled",
    "phone_calls_enabled",
    "onetouch_enabled",
    "custom_codes_enabled",
    "callback_on_expiry",
)
_URL_REASON = "Must be null or an absolute http or https URL without query or fragment"
_LIMITS_REASON = (
    "Must be an object whose keys are among "
    + ", ".join(LIMIT_KEYS)
    + ", each null or {max: integer >= 1, window: seconds > 0}"
)

# The last second datetime can show (9999-12-31T23:59:59Z): documents format clock
# times, so the clock stays in [0, MAX_TIME].
MAX_TIME = 253402300799.0
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # API.md §3.1

# API.md §7.12: the endpoints a fault may name.
FAULT_ENDPOINTS = (
    "sms",
    "call",
    "verify",
    "phones/verification/start",
    "onetouch",
    "*",
)
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_ERROR_CODE = re.compile(r"[0-9]{5}")
MAX_DELAY_MS = 60_000  # a fault delays real time: keep a typo from hanging a suite


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _text(data: Mapping[str, Any], name: str) -> str:
    """A required non-blank string, trimmed."""
    value = data[name]
    if value is None:
        raise InvalidParameter(name, _REQUIRED)
    if not isinstance(value, str):
        raise InvalidParameter(name, _STRING)
    if not value.strip():
        raise InvalidParameter(name, _REQUIRED)
    return value.strip()


def _int_in(data: Mapping[str, Any], name: str, lo: int, hi: int, reason: str) -> int:
    value = data[name]
    if not _is_int(value) or not lo <= value <= hi:
        raise InvalidParameter(name, reason)
    return int(value)


def _flag(data: Mapping[str, Any], name: str) -> bool:
    value = data[name]
    if not isinstance(value, bool):
        raise InvalidParameter(name, _BOOLEAN)
    return value


def callback_url_problem(url: object) -> str | None:
    """Why *url* is no valid callback URL (API.md §7.4), or None when it is one."""
    if url is None:
        return None
    if not isinstance(url, str):
        return _URL_REASON
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return _URL_REASON
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "?" in url
        or "#" in url
        or any(ch.isspace() for ch in url)
    ):
        return _URL_REASON
    return None


def _limits(value: object) -> dict[str, Limit | None]:
    if not isinstance(value, Mapping):
        raise InvalidParameter("limits", _LIMITS_REASON)
    limits: dict[str, Limit | None] = {}
    for key, item in value.items():
        if key not in LIMIT_KEYS:
            raise InvalidParameter("limits", _LIMITS_REASON)
        if item is None:
            limits[key] = None
            continue
        if (
            not isinstance(item, Mapping)
            or set(item) != {"max", "window"}
            or not _is_int(item["max"])
            or item["max"] < 1
            or not _is_number(item["window"])
            or item["window"] <= 0
        ):
            raise InvalidParameter("limits", _LIMITS_REASON)
        limits[key] = Limit(max=item["max"], window=item["window"])
    return limits


def parse_app_settings(
    data: Mapping[str, Any], *, creating: bool
) -> tuple[dict[str, Any], dict[str, Limit | None]]:
    """Checked settings of an app from a control-API body (API.md §7.4).

    Returns the settings present (``AppRecord`` field names) and the limits present
    (to merge key by key). *creating* makes ``name`` required.
    """
    settings: dict[str, Any] = {}
    if "name" in data or creating:
        if "name" not in data:
            raise InvalidParameter("name", _REQUIRED)
        settings["name"] = _text(data, "name")
    if "api_key" in data:
        settings["api_key"] = _text(data, "api_key")
    if "callback_url" in data:
        if callback_url_problem(data["callback_url"]) is not None:
            raise InvalidParameter("callback_url", _URL_REASON)
        settings["callback_url"] = data["callback_url"]
    if "callback_method" in data:
        method = data["callback_method"]
        if method not in ("POST", "GET"):
            raise InvalidParameter("callback_method", "Must be one of: POST, GET")
        settings["callback_method"] = method
    if "token_length" in data:
        settings["token_length"] = _int_in(
            data, "token_length", 6, 8, "Must be an integer between 6 and 8"
        )
    if "sms_token_ttl" in data:
        settings["sms_token_ttl"] = _int_in(
            data, "sms_token_ttl", 1, 10**9, "Must be an integer of at least 1"
        )
    for name in APP_FLAGS:
        if name in data:
            settings[name] = _flag(data, name)
    limits = _limits(data["limits"]) if "limits" in data else {}
    return settings, limits


def parse_fault(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a new fault from a control-API body (API.md §7.12)."""
    if data.get("endpoint") is None:
        raise InvalidParameter("endpoint", _REQUIRED)
    if data["endpoint"] not in FAULT_ENDPOINTS:
        raise InvalidParameter(
            "endpoint", "Must be one of: " + ", ".join(FAULT_ENDPOINTS)
        )
    fault: dict[str, Any] = {"endpoint": data["endpoint"]}
    to = data.get("to")
    if to is not None:
        if not isinstance(to, str) or not _E164.fullmatch(to):
            raise InvalidParameter("to", "Must be an E.164 phone number")
        fault["to"] = to
    if data.get("times") is not None:
        fault["times"] = _int_in(
            data, "times", 1, 10**9, "Must be an integer of at least 1"
        )
    if data.get("status") is not None:
        fault["status"] = _int_in(
            data, "status", 400, 599, "Must be an integer between 400 and 599"
        )
    code = data.get("error_code")
    if code is not None:
        code = str(code) if _is_int(code) else code
        if not isinstance(code, str) or not _ERROR_CODE.fullmatch(code):
            raise InvalidParameter("error_code", "Must be a string of five digits")
        fault["error_code"] = code
    if data.get("message") is not None:
        fault["message"] = _text(data, "message")
    if data.get("delay_ms") is not None:
        fault["delay_ms"] = _int_in(
            data,
            "delay_ms",
            0,
            MAX_DELAY_MS,
            f"Must be an integer between 0 and {MAX_DELAY_MS}",
        )
    if data.get("drop_message") is not None:
        fault["drop_message"] = _flag(data, "drop_message")
    return fault
