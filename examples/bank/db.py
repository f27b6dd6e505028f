"""The bank's state in one SQLite file: accounts, pushes and transfers.

Every write is one short ``BEGIN IMMEDIATE`` transaction, so several worker
processes may share the file. No rule lives here beyond what must be atomic: a
transfer checks the balance in the transaction that moves the money, and a push is
decided once (the first of the callback and the poll wins).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["Account", "Db", "PhoneTaken", "Push", "Transfer"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    country_code INTEGER NOT NULL,
    phone TEXT NOT NULL,
    e164 TEXT NOT NULL,
    phone_verified INTEGER NOT NULL DEFAULT 0,
    tfa_id INTEGER,
    totp_key BLOB,
    totp_pending BLOB,
    balance INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS one_account_per_phone
    ON accounts (e164) WHERE phone_verified = 1;
CREATE TABLE IF NOT EXISTS pushes (
    uuid TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    status TEXT NOT NULL,
    learned_by TEXT,
    amount INTEGER,
    payee TEXT,
    outcome TEXT,
    created REAL NOT NULL,
    polled REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS transfers (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    payee TEXT NOT NULL,
    made REAL NOT NULL
);
"""


class PhoneTaken(Exception):
    """Another account has already verified this phone number."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    id: int
    email: str
    password_hash: str
    country_code: int
    phone: str
    e164: str
    phone_verified: bool
    tfa_id: int | None
    totp_key: bytes | None
    totp_pending: bytes | None
    balance: int

    @property
    def tier(self) -> int:
        """0 at sign-up, 1 with a verified phone, 2 with an authenticator app."""
        if not self.phone_verified:
            return 0
        return 2 if self.totp_key is not None else 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Push:
    uuid: str
    account_id: int
    purpose: str  # "login" or "transfer"
    status: str  # pending, approved, denied, expired
    learned_by: str | None  # "callback" or "poll"
    amount: int | None
    payee: str | None
    outcome: str | None  # for transfers: "made" or "insufficient"
    created: float
    polled: float
    used: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer:
    amount: int
    payee: str
    made: float


class Db:
    """The SQLite file at *path*; a connection per operation (cheap in SQLite)."""

    def __init__(self, path: str) -> None:
        self.path = path
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _one(self, sql: str, *args: object) -> sqlite3.Row | None:
        conn = self._connect()
        try:
            row: sqlite3.Row | None = conn.execute(sql, args).fetchone()
            return row
        finally:
            conn.close()

    # -- accounts ---------------------------------------------------------------

    def account(self, account_id: int) -> Account | None:
        row = self._one("SELECT * FROM accounts WHERE id = ?", account_id)
        return _account(row)

    def account_by_email(self, email: str) -> Account | None:
        row = self._one("SELECT * FROM accounts WHERE email = ?", email.lower())
        return _account(row)

    def phone_taken(self, e164: str, *, by_other_than: int = 0) -> bool:
        """Whether an account other than *by_other_than* verified *e164*."""
        row = self._one(
            "SELECT 1 FROM accounts WHERE e164 = ? AND phone_verified = 1 AND id != ?",
            e164,
            by_other_than,
        )
        return row is not None

    def create_account(
        self,
        *,
        email: str,
        password_hash: str,
        country_code: int,
        phone: str,
        e164: str,
        balance: int,
    ) -> int | None:
        """The new account's id; None when the e-mail is taken."""
        with self._write() as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO accounts (email, password_hash, country_code, phone,"
                    " e164, balance) VALUES (?, ?, ?, ?, ?, ?)",
                    (email.lower(), password_hash, country_code, phone, e164, balance),
                )
            except sqlite3.IntegrityError:
                return None
            return cursor.lastrowid

    def verify_phone(self, account_id: int, tfa_id: int) -> None:
        """Mark the phone verified; PhoneTaken if another account got there first."""
        with self._write() as conn:
            try:
                conn.execute(
                    "UPDATE accounts SET phone_verified = 1, tfa_id = ? WHERE id = ?",
                    (tfa_id, account_id),
                )
            except sqlite3.IntegrityError:
                raise PhoneTaken from None

    def set_password(self, account_id: int, password_hash: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE accounts SET password_hash = ? WHERE id = ?",
                (password_hash, account_id),
            )

    def set_totp_pending(self, account_id: int, key: bytes) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE accounts SET totp_pending = ? WHERE id = ?", (key, account_id)
            )

    def confirm_totp(self, account_id: int, key: bytes) -> None:
        """The pending key becomes the account's authenticator key (tier 2)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE accounts SET totp_key = ?, totp_pending = NULL WHERE id = ?",
                (key, account_id),
            )

    # -- pushes and transfers ---------------------------------------------------

    def add_push(
        self,
        *,
        uuid: str,
        account_id: int,
        purpose: str,
        now: float,
        amount: int | None = None,
        payee: str | None = None,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO pushes (uuid, account_id, purpose, status, amount, payee,"
                " created, polled) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)",
                (uuid, account_id, purpose, amount, payee, now, now),
            )

    def push(self, uuid: str) -> Push | None:
        row = self._one("SELECT * FROM pushes WHERE uuid = ?", uuid)
        if row is None:
            return None
        return Push(**{**dict(row), "used": bool(row["used"])})

    def mark_polled(self, uuid: str, now: float) -> None:
        with self._write() as conn:
            conn.execute("UPDATE pushes SET polled = ? WHERE uuid = ?", (now, uuid))

    def decide_push(self, uuid: str, status: str, learned_by: str, now: float) -> bool:
        """Record a pending push's decision; an approved transfer is made (or
        refused for want of money) in the same transaction. False when the push
        is unknown or already decided."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT * FROM pushes WHERE uuid = ? AND status = 'pending'", (uuid,)
            ).fetchone()
            if row is None:
                return False
            outcome = None
            if row["purpose"] == "transfer" and status == "approved":
                made = _move(conn, row["account_id"], row["amount"], row["payee"], now)
                outcome = "made" if made else "insufficient"
            conn.execute(
                "UPDATE pushes SET status = ?, learned_by = ?, outcome = ?"
                " WHERE uuid = ?",
                (status, learned_by, outcome, uuid),
            )
            return True

    def use_push(self, uuid: str) -> bool:
        """Consume an approved log-in push once; False if used already."""
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE pushes SET used = 1 WHERE uuid = ? AND used = 0", (uuid,)
            )
            return cursor.rowcount == 1

    def transfer(self, account_id: int, amount: int, payee: str, now: float) -> bool:
        """Move *amount* out of the account now; False if the balance is short."""
        with self._write() as conn:
            return _move(conn, account_id, amount, payee, now)

    def transfers(self, account_id: int, limit: int = 10) -> list[Transfer]:
        conn = self._connect()
        try:
            rows = conn.execute(
                "SELECT amount, payee, made FROM transfers WHERE account_id = ?"
                " ORDER BY id DESC LIMIT ?",
                (account_id, limit),
            ).fetchall()
        finally:
            conn.close()
        return [Transfer(amount=r[0], payee=r[1], made=r[2]) for r in rows]


def _account(row: sqlite3.Row | None) -> Account | None:
    if row is None:
        return None
    return Account(**{**dict(row), "phone_verified": bool(row["phone_verified"])})


def _move(
    conn: sqlite3.Connection, account_id: int, amount: int, payee: str, now: float
) -> bool:
    cursor = conn.execute(
        "UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance >= ?",
        (amount, account_id, amount),
    )
    if cursor.rowcount != 1:
        return False
    conn.execute(
        "INSERT INTO transfers (account_id, amount, payee, made) VALUES (?, ?, ?, ?)",
        (account_id, amount, payee, now),
    )
    return True
