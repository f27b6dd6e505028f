"""Snapshots: the whole state of a backend as JSON-able data, and back (API.md §7.13).

:func:`export_state` turns the state containers into plain JSON values;
:func:`load_state` checks such a value completely (shape, types, references between
records, counters ahead of every id) and builds fresh containers without touching
any backend; :func:`install_state` swaps them in. So a restore is exact (export of
the restored state equals the input) and atomic (a bad snapshot changes nothing).

Records are encoded field by field from their type hints, so a field added to a
record travels in snapshots without code here; a new state container must be added
to :data:`CONTAINERS` (a test compares it with ``BackendBase._init_state``).
Encodings: ``bytes`` as hex; a dict with string keys as an object, other dicts as
``[[key, value], ...]``; tuples as lists; the values of tfa_core through their own
``to_dict``/``from_dict``; the generator as ``random.getstate()`` in lists (null for
an unseeded ``SystemRandom``, which has no state).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import math
import random
import types
import typing
from typing import Any, Literal, Union

from tfa_core.approval import ApprovalRequest
from tfa_core.errors import TfaError
from tfa_core.ratelimit import WindowState
from tfa_core.verification import PhoneVerification

from ..wire.errors import ApiError, BadRequest
from . import validate
from .base import STAT_FIELDS, BackendBase
from .records import (
    LIMIT_KEYS,
    AppRecord,
    ApprovalRecord,
    Delivery,
    Fault,
    JournalEntry,
    Message,
    QrImage,
    SentCode,
    UserRecord,
    VerificationRecord,
)

__all__ = ["CONTAINERS", "VERSION", "export_state", "install_state", "load_state"]

VERSION = 1

# The state containers of BackendBase._init_state and their types.
CONTAINERS: dict[str, Any] = {
    "apps": dict[int, AppRecord],
    "users": dict[int, UserRecord],
    "phone_index": dict[tuple[int, str], int],
    "codes": dict[int, list[SentCode]],
    "messages": list[Message],
    "verifications": dict[str, VerificationRecord],
    "latest_verification": dict[tuple[int, str], str],
    "approvals": dict[str, ApprovalRecord],
    "qr_images": dict[str, QrImage],
    "journal": list[JournalEntry],
    "faults": list[Fault],
    "windows": dict[tuple[int, str, str], WindowState],
    "stats": dict[tuple[int, int, int], dict[str, int]],
    "deliveries": list[Delivery],
    "counters": dict[str, int],
}
_CORE_VALUES = (ApprovalRequest, PhoneVerification, WindowState)


class _Invalid(Exception):
    """Inside the codec: the input does not fit; becomes BadRequest (60002)."""


# What decoding bad input may raise (from_dict, constructors, setstate).
_REFUSED = (
    _Invalid,
    ApiError,
    TfaError,
    ValueError,
    TypeError,
    KeyError,
    OverflowError,
)


# -- export ------------------------------------------------------------------------


def export_state(backend: BackendBase) -> dict[str, Any]:
    """The state of *backend* as JSON-able data (call with its lock held)."""
    data: dict[str, Any] = {"version": VERSION}
    for name, tp in CONTAINERS.items():
        data[name] = _encode(tp, getattr(backend, name))
    try:
        state = backend.rng.getstate()
    except NotImplementedError:  # SystemRandom: the OS has the state, not us
        data["random"] = None
    else:
        version, internal, gauss_next = state
        data["random"] = [version, list(internal), gauss_next]
    data["clock"] = backend.clock.to_dict()
    for delivery in data["deliveries"]:
        # An attempt in flight cannot be restored: it belongs to this process.
        delivery["in_flight"] = False
    return data


def _encode(tp: Any, value: Any) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if value is None or tp is Any or origin is Literal:
        return value
    if origin in (Union, types.UnionType):
        arm = next(a for a in args if a is not type(None))
        return _encode(arm, value) if len(args) == 2 else value
    if origin is dict:
        key_tp, value_tp = args
        if key_tp is str:
            return {k: _encode(value_tp, v) for k, v in value.items()}
        return [[_encode(key_tp, k), _encode(value_tp, v)] for k, v in value.items()]
    if origin is list:
        return [_encode(args[0], v) for v in value]
    if origin is tuple:
        return [_encode(a, v) for a, v in zip(args, value, strict=True)]
    if tp in _CORE_VALUES:
        return value.to_dict()
    if dataclasses.is_dataclass(tp):
        return _encode_record(tp, value)
    if tp is bytes:
        return bytes(value).hex()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _encode_record(tp: Any, value: Any) -> dict[str, Any]:
    hints = _hints(tp)
    return {f.name: _encode(hints[f.name], getattr(value, f.name)) for f in _fields(tp)}


@functools.cache
def _hints(tp: Any) -> dict[str, Any]:
    return typing.get_type_hints(tp)


def _fields(tp: Any) -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(tp)


# -- load ---------------------------------------------------------------------------


def load_state(data: object) -> dict[str, Any]:
    """Fresh state containers from snapshot *data*; BadRequest (60002) when it is
    anything but a complete, consistent version-1 snapshot."""
    try:
        return _load(data)
    except _REFUSED:
        raise BadRequest() from None


def _load(data: object) -> dict[str, Any]:
    expected = {"version", "random", "clock", *CONTAINERS}
    if not isinstance(data, dict) or set(data) != expected:
        raise _Invalid("not a snapshot")
    if data["version"] != VERSION or isinstance(data["version"], bool):
        raise _Invalid("version")
    _check_numbers(data)
    state = {name: _decode(tp, data[name]) for name, tp in CONTAINERS.items()}
    state["rng"] = _load_random(data["random"])
    state["clock"] = _load_clock(data["clock"])
    _check_consistent(state)
    return state


def _decode(tp: Any, value: Any) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return value
    if origin is Literal:
        _require(value in args and type(value) is type(args[0]))
        return value
    if origin in (Union, types.UnionType):
        if value is None:
            _require(type(None) in args)
            return None
        arms = [a for a in args if a is not type(None)]
        _require(len(arms) == 1)
        return _decode(arms[0], value)
    if origin is dict:
        key_tp, value_tp = args
        if key_tp is str:
            _require(isinstance(value, dict))
            return {k: _decode(value_tp, v) for k, v in value.items()}
        _require(isinstance(value, list))
        pairs = [_pair(item) for item in value]
        decoded = {_decode(key_tp, k): _decode(value_tp, v) for k, v in pairs}
        _require(len(decoded) == len(pairs))
        return decoded
    if origin is list:
        _require(isinstance(value, list))
        return [_decode(args[0], v) for v in value]
    if origin is tuple:
        _require(isinstance(value, list) and len(value) == len(args))
        return tuple(_decode(a, v) for a, v in zip(args, value, strict=True))
    if tp in _CORE_VALUES:
        _require(isinstance(value, dict))
        decoded = tp.from_dict(value)
        # from_dict may fill in defaults or normalise (``[]`` logos -> None): a
        # snapshot must be exactly what an export writes.
        _require(decoded.to_dict() == value)
        return decoded
    if dataclasses.is_dataclass(tp):
        return _decode_record(tp, value)
    return _decode_scalar(tp, value)


def _pair(item: object) -> tuple[Any, Any]:
    _require(isinstance(item, list) and len(item) == 2)
    assert isinstance(item, list)
    return item[0], item[1]


def _decode_record(tp: Any, value: object) -> Any:
    fields = _fields(tp)
    _require(isinstance(value, dict) and set(value) == {f.name for f in fields})
    assert isinstance(value, dict)
    hints = _hints(tp)
    return tp(**{f.name: _decode(hints[f.name], value[f.name]) for f in fields})


def _decode_scalar(tp: Any, value: object) -> Any:
    if tp is bool:
        _require(isinstance(value, bool))
    elif tp is int:
        _require(isinstance(value, int) and not isinstance(value, bool))
    elif tp is float:
        _require(
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
        )
    elif tp is str:
        _require(isinstance(value, str))
    elif tp is bytes:
        _require(isinstance(value, str))
        assert isinstance(value, str)
        return bytes.fromhex(value)
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    else:  # a type this codec does not know: a bug in the table, not input
        raise TypeError(f"snapshot: cannot decode {tp!r}")
    return value


def _load_random(value: object) -> random.Random:
    if value is None:
        return random.SystemRandom()
    _require(isinstance(value, list) and len(value) == 3)
    assert isinstance(value, list)
    version, internal, gauss_next = value
    _require(
        isinstance(internal, list)
        and all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**32
            for n in internal
        )
        and (gauss_next is None or isinstance(gauss_next, float))
    )
    rng = random.Random()
    rng.setstate((version, tuple(internal), gauss_next))  # checks size and index
    return rng


def _load_clock(value: object) -> dict[str, Any]:
    _require(isinstance(value, dict) and set(value) == {"now", "frozen"})
    assert isinstance(value, dict)
    now, frozen = value["now"], value["frozen"]
    _require(isinstance(frozen, bool))
    _require(isinstance(now, (int, float)) and not isinstance(now, bool))
    _require(math.isfinite(now) and 0 <= now <= validate.MAX_TIME)
    return {"now": now, "frozen": frozen}


def _check_consistent(state: dict[str, Any]) -> None:
    """References between records hold and counters are ahead of every id."""
    apps: dict[int, AppRecord] = state["apps"]
    users: dict[int, UserRecord] = state["users"]
    _require(bool(apps) and all(k == a.app_id for k, a in apps.items()))
    keys = [a.api_key for a in apps.values()]
    _require(len(set(keys)) == len(keys))
    _require(all(k == u.id and u.app_id in apps for k, u in users.items()))
    _require(all(u.key and validate.EMAIL.fullmatch(u.email) for u in users.values()))
    for (app_id, phone), uid in state["phone_index"].items():
        _require(uid in users and users[uid].app_id == app_id)
        _require(users[uid].phone == phone)
    for uuid, v in state["verifications"].items():
        _require(uuid == v.verification.uuid and v.app_id in apps)
    for (app_id, _), uuid in state["latest_verification"].items():
        _require(uuid in state["verifications"] and app_id in apps)
    for uuid, a in state["approvals"].items():
        _require(uuid == a.request.uuid and a.app_id in apps)
    for qr_id, qr in state["qr_images"].items():
        _require(qr_id == qr.id and qr.app_id in apps)
    _require(all(m.app_id in apps for m in state["messages"]))
    _require(all(d.app_id in apps and not d.in_flight for d in state["deliveries"]))
    for app in apps.values():
        _check_settings(app)
    for fault in state["faults"]:
        _check_fault(fault)
    for delivery in state["deliveries"]:
        _check_attempts(delivery)
    months = state["stats"].values()
    _require(all(set(month) == set(STAT_FIELDS) for month in months))
    _require(all(key[0] in apps for key in state["windows"]))
    counters: dict[str, int] = state["counters"]
    _require(set(counters) == {"user", "app", "device", "message", "delivery", "fault"})
    ids = {
        "user": list(users),
        "app": list(apps),
        "message": [m.id for m in state["messages"]],
        "fault": [f.id for f in state["faults"]],
        "delivery": [d.id for d in state["deliveries"]],
        "device": [u.device.id for u in users.values() if u.device is not None],
    }
    for counter, taken in ids.items():
        _require(all(counters[counter] > n for n in taken))
        _require(len(set(taken)) == len(taken))


def _check_fault(fault: Fault) -> None:
    """The fault follows the rules of the control API (API.md §7.12)."""
    fields = dataclasses.asdict(fault)
    del fields["id"]
    validate.parse_fault(fields)
    _require(fault.times >= 1)


def _check_settings(app: AppRecord) -> None:
    """The settings follow the rules of the control API (API.md §7.4)."""
    fields = ("name", "api_key", "callback_url", "callback_method", "token_length")
    settings = {name: getattr(app, name) for name in fields}
    settings["sms_token_ttl"] = app.sms_token_ttl
    settings.update((flag, getattr(app, flag)) for flag in validate.APP_FLAGS)
    validate.parse_app_settings(settings, creating=True)
    _require(set(app.limits) == set(LIMIT_KEYS))


_ATTEMPT: dict[str, type | tuple[type, ...]] = {
    "time": (int, float),
    "nonce": str,
    "url": str,
    "request_headers": dict,
    "request_body": str,
    "status_code": (int, type(None)),
    "error": (str, type(None)),
}


def _check_attempts(delivery: Delivery) -> None:
    """Attempts have the shape the delivery log shows (API.md §7.10)."""
    for attempt in delivery.attempts:
        _require(set(attempt) == set(_ATTEMPT))
        for name, kind in _ATTEMPT.items():
            value = attempt[name]
            _require(isinstance(value, kind) and not isinstance(value, bool))
        headers = attempt["request_headers"].items()
        _require(all(isinstance(v, str) for _, v in headers))


def _check_numbers(data: object) -> None:
    """Every number fits the clock's range (no time past the year 9999)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            _require(-validate.MAX_TIME <= item <= validate.MAX_TIME)


def _require(condition: bool) -> None:
    if not condition:
        raise _Invalid("snapshot does not fit")


# -- install ------------------------------------------------------------------------


def install_state(backend: BackendBase, state: dict[str, Any]) -> None:
    """Swap the containers of :func:`load_state` into *backend* (lock held)."""
    for name in CONTAINERS:
        setattr(backend, name, state[name])
    backend.rng = state["rng"]
    backend.clock.restore(state["clock"])
