"""Guard on every store: a code accepted once, attempts limited, codes kept hashed."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pyotp
import pytest

from tfa_core.errors import CorruptValue, InvalidParameter
from tfa_core.guard import Guard, Outcome
from tfa_core.otp import b32encode
from tfa_core.ratelimit import Limit
from tfa_core.stores import MemoryStore, SQLiteStore, Store

from .conftest import fresh

NOW = 1_700_000_000.0
KEY = b"12345678901234567890"
CODE_KEY = b"an app secret, not in the store"


def totp_at(now: float, key: bytes = KEY) -> str:
    """The code an authenticator app shows (pyotp: an independent implementation)."""
    return pyotp.TOTP(b32encode(key)).at(int(now))


def test_a_totp_code_is_accepted_once(store: Store) -> None:
    guard, user = Guard(store), fresh("user")
    code = totp_at(NOW)
    first = guard.verify_totp(user, KEY, code, now=NOW)
    assert first == Outcome(accepted=True, reason="accepted", step=int(NOW) // 30)
    assert guard.verify_totp(user, KEY, code, now=NOW + 1) == Outcome(
        accepted=False, reason="replayed"
    )
    # The previous step's code is still in the window, but older than the accepted.
    older = guard.verify_totp(user, KEY, totp_at(NOW - 30), now=NOW + 2)
    assert older.reason == "replayed"
    assert guard.verify_totp(user, KEY, totp_at(NOW + 30), now=NOW + 30).accepted
    # Another user's guard is apart.
    assert guard.verify_totp(fresh("user"), KEY, code, now=NOW).accepted


def test_attempts_are_limited_and_a_throttled_attempt_reveals_nothing(
    store: Store,
) -> None:
    guard, user = Guard(store, attempts=Limit(max=3, window=300)), fresh("user")
    wrong = f"{(int(totp_at(NOW)) + 1) % 1_000_000:06d}"
    reasons = [
        guard.verify_totp(user, KEY, wrong, now=NOW + i).reason for i in range(3)
    ]
    assert reasons == ["wrong", "wrong", "wrong"]
    refused_wrong = guard.verify_totp(user, KEY, wrong, now=NOW + 3)
    refused_right = guard.verify_totp(user, KEY, totp_at(NOW + 4), now=NOW + 4)
    assert refused_wrong == Outcome(accepted=False, reason="throttled", retry_after=297)
    assert refused_right == Outcome(accepted=False, reason="throttled", retry_after=296)
    # The right code, throttled, was not used up: once the window has passed it works.
    later = NOW + 300
    assert guard.verify_totp(user, KEY, totp_at(later), now=later).accepted


def test_a_success_does_not_refund_its_attempt(store: Store) -> None:
    guard, user = Guard(store, attempts=Limit(max=2, window=300)), fresh("user")
    assert guard.verify_totp(user, KEY, totp_at(NOW), now=NOW).accepted
    assert guard.verify_totp(user, KEY, totp_at(NOW + 30), now=NOW + 30).accepted
    third = guard.verify_totp(user, KEY, totp_at(NOW + 60), now=NOW + 60)
    assert third.reason == "throttled"


def test_bad_totp_input_raises_and_counts_nothing(store: Store) -> None:
    guard, user = Guard(store, attempts=Limit(max=1, window=300)), fresh("user")
    with pytest.raises(InvalidParameter, match=r"^user: "):
        guard.verify_totp("", KEY, "123456", now=NOW)
    with pytest.raises(InvalidParameter, match=r"^code: "):
        guard.verify_totp(user, KEY, 123456, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter, match=r"^digest: "):
        guard.verify_totp(user, KEY, "123456", now=NOW, digest="md5")  # type: ignore[arg-type]
    assert guard.verify_totp(user, KEY, "12345", now=NOW).reason == "wrong"  # counted
    assert guard.verify_totp(user, KEY, totp_at(NOW), now=NOW).reason == "throttled"


def test_user_names_with_braces_and_percent_stay_apart(store: Store) -> None:
    guard, base = Guard(store), fresh("user")
    names = [base + "{a}", base + "%7Ba%7D", base + "}", base + "{"]
    assert all(guard.verify_totp(n, KEY, totp_at(NOW), now=NOW).accepted for n in names)


def test_an_issued_code_is_accepted_once(store: Store) -> None:
    guard, user = Guard(store, code_key=CODE_KEY), fresh("user")
    code = guard.issue_code(user, "login", rng=random.Random(1), now=NOW)
    assert len(code) == 6 and code.isdigit()
    other = f"{(int(code) + 1) % 1_000_000:06d}"
    assert guard.verify_code(user, "login", other, now=NOW + 1).reason == "wrong"
    assert guard.verify_code(user, "reset", code, now=NOW + 1).reason == "no_code"
    assert guard.verify_code(user, "login", code, now=NOW + 2) == Outcome(
        accepted=True, reason="accepted"
    )
    assert guard.verify_code(user, "login", code, now=NOW + 3).reason == "no_code"


def test_an_issued_code_expires_and_a_new_one_replaces_it(store: Store) -> None:
    guard, user = Guard(store, code_key=CODE_KEY), fresh("user")
    rng = random.Random(2)
    code = guard.issue_code(user, "login", rng=rng, now=NOW, ttl=60, length=8)
    assert len(code) == 8
    assert guard.verify_code(user, "login", code, now=NOW + 60).reason == "expired"
    assert guard.verify_code(user, "login", code, now=NOW + 61).reason == "no_code"
    first = guard.issue_code(user, "login", rng=rng, now=NOW + 100)
    second = guard.issue_code(user, "login", rng=rng, now=NOW + 101)
    if first != second:
        assert guard.verify_code(user, "login", first, now=NOW + 102).reason == "wrong"
    assert guard.verify_code(user, "login", second, now=NOW + 103).accepted


def test_issued_codes_are_limited_and_a_new_code_does_not_reset_the_count(
    store: Store,
) -> None:
    guard = Guard(store, attempts=Limit(max=2, window=300), code_key=CODE_KEY)
    user, rng = fresh("user"), random.Random(3)
    code = guard.issue_code(user, "login", rng=rng, now=NOW)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert guard.verify_code(user, "login", wrong, now=NOW).reason == "wrong"
    assert guard.verify_code(user, "login", wrong, now=NOW + 1).reason == "wrong"
    code = guard.issue_code(user, "login", rng=rng, now=NOW + 2)
    throttled = guard.verify_code(user, "login", code, now=NOW + 3)
    assert throttled == Outcome(accepted=False, reason="throttled", retry_after=297)
    assert guard.verify_code(user, "login", code, now=NOW + 300).accepted


def test_codes_need_the_code_key_and_another_key_accepts_nothing(store: Store) -> None:
    user = fresh("user")
    with pytest.raises(InvalidParameter, match=r"^code_key: "):
        Guard(store).issue_code(user, "login", rng=random.Random(), now=NOW)
    with pytest.raises(InvalidParameter, match=r"^code_key: "):
        Guard(store, code_key=b"short")
    code = Guard(store, code_key=CODE_KEY).issue_code(
        user, "login", rng=random.Random(4), now=NOW
    )
    other = Guard(store, code_key=b"another app secret, 32 bytes...")
    assert other.verify_code(user, "login", code, now=NOW + 1).reason == "wrong"
    assert "secret" not in repr(Guard(store, code_key=CODE_KEY))


def test_the_store_holds_no_code_in_clear(sqlite_path: Path) -> None:
    store = SQLiteStore(sqlite_path)
    user, guard = fresh("user"), Guard(store, code_key=CODE_KEY)
    codes = [
        guard.issue_code(user, f"p{i}", rng=random.Random(i), now=NOW, length=12)
        for i in range(5)
    ]
    with sqlite3.connect(store.path) as conn:
        rows = conn.execute("SELECT key, value FROM tfa_store").fetchall()
    text = "\n".join(f"{k} {v}" for k, v in rows)
    assert user in text
    assert not any(code in text for code in codes)
    store.close()


def test_a_corrupt_code_value_is_an_error_not_an_accept() -> None:
    store, user = MemoryStore(), fresh("user")
    guard = Guard(store, code_key=CODE_KEY)
    key = "code:{" + user + "}:login"
    store.update(
        key, lambda old: ({"hash": 5, "expires": "x", "events": []}, None), ttl=60
    )
    with pytest.raises(CorruptValue, match="issued-code"):
        guard.verify_code(user, "login", "123456", now=NOW)
    with pytest.raises(InvalidParameter, match=r"^ttl: "):
        guard.issue_code(user, "login", rng=random.Random(), now=NOW, ttl=86400)
