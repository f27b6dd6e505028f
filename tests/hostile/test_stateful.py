"""A stateful model of the API (issue 8, hostile input): hypothesis drives the mock
with random sequences of valid and invalid calls and checks every answer.

The model is small and written from API.md alone: users by phone (§3.1-3.3), SMS
codes with their expiry, single use and replay (§3.8, §3.11, §5.4), the ``sends``
and ``verify_failures`` windows with ``Retry-After`` (§6), approval requests with
lazy expiry and one decision (§3.18-3.19, §4.1, §7.9), and the clock, which only
moves when a rule says so (§8). Ids are drawn from a small range, so unknown,
deleted and live users all come up; every call is made in json or xml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)
from werkzeug.test import TestResponse

from tests.hostile._support import (
    API_KEY,
    NOW,
    assert_envelope,
    new_backend,
    read_body,
)
from tfa_mock.app import create_app
from tfa_mock.config import MockConfig

AUTH = {"X-TFA-API-Key": API_KEY}
PHONES = ("201-555-0123", "201-555-0124", "201-555-0125", "201-555-0126")
EMAILS = ("ana@example.com", "bo@example.com", "<b>cy</b>@example.com")
WINDOW = 600  # API.md §6: sends and verify_failures, 5 and 10 per 600 s
SENDS, FAILURES = 5, 10
TTL = 600  # the default sms_token_ttl (API.md §5.4)
FORMATS = st.sampled_from(["json", "xml"])
USERS = Bundle("users")  # ids the mock answered to users/new (some later deleted)
# Mostly ids of registered users, sometimes one that never existed.
USER_IDS = st.one_of(USERS, USERS, USERS, st.sampled_from([999, 10**6]))


@dataclass
class Code:
    value: str
    expires_at: float
    used: bool = False


@dataclass
class User:
    id: int
    phone: str
    email: str
    confirmed: bool = False
    codes: list[Code] = field(default_factory=list)
    sends: list[float] = field(default_factory=list)
    failures: list[float] = field(default_factory=list)


@dataclass
class Approval:
    user: int
    created_at: float
    ttl: int
    decision: str | None = None  # "approved" or "denied"
    decided_at: float | None = None


def retry_after(events: list[float], now: float, limit: int) -> int | None:
    """None when allowed, else ``Retry-After`` (API.md §6)."""
    counted = [t for t in events if t > now - WINDOW]
    if len(counted) < limit:
        return None
    return max(1, math.ceil(min(counted) + WINDOW - now))


def stamp(when: float) -> str:
    moment = datetime.fromtimestamp(math.floor(when), tz=timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


class ApiModel(RuleBasedStateMachine):
    """The mock against the model, one HTTP call per rule."""

    def __init__(self) -> None:
        super().__init__()
        self.backend = new_backend()
        app = create_app(MockConfig(seed=7, api_key=API_KEY), backend=self.backend)
        self.client = app.test_client()
        self.now = NOW
        self.users: dict[int, User] = {}
        self.next_id = 1000
        self.approvals: dict[str, Approval] = {}

    def teardown(self) -> None:
        self.backend.close()

    # -- helpers ------------------------------------------------------------------

    def by_phone(self, phone: str) -> User | None:
        return next((u for u in self.users.values() if u.phone == phone), None)

    def answer(self, resp: TestResponse, fmt: str, status: int) -> dict[str, Any]:
        """The parsed body, after checking status, format and (errors) envelope."""
        assert resp.status_code == status, (resp.status_code, resp.data[:300])
        got_fmt, body = read_body(resp)
        assert got_fmt == fmt
        if status >= 400:
            assert_envelope(status, got_fmt, body)
        elif fmt == "xml":
            assert body.pop("_root") == "hash"
        return body

    def refused(
        self, resp: TestResponse, fmt: str, status: int, code: str
    ) -> dict[str, Any]:
        body = self.answer(resp, fmt, status)
        assert body["error_code"] == code, body
        return body

    # -- users ----------------------------------------------------------------------

    @initialize(target=USERS, fmt=FORMATS)
    def first_user(self, fmt: str) -> Any:
        return self.register(PHONES[0], EMAILS[0], fmt)

    @rule(
        target=USERS,
        phone=st.sampled_from(PHONES),
        email=st.sampled_from(EMAILS),
        fmt=FORMATS,
    )
    def register(self, phone: str, email: str, fmt: str) -> Any:
        resp = self.client.post(
            f"/protected/{fmt}/users/new",
            json={
                "user": {"email": email, "cellphone": phone, "country_code": "+1"},
                "send_install_link_via_sms": False,
            },
            headers=AUTH,
        )
        body = self.answer(resp, fmt, 200)
        known = self.by_phone(phone)
        if known is None:
            known = self.users[self.next_id] = User(
                id=self.next_id, phone=phone, email=email
            )
            self.next_id += 1
        known.email = email  # API.md §3.1: same id, the e-mail replaced
        assert body["user"] == {"id": known.id}
        return known.id

    @rule(
        case=st.sampled_from(["email", "phone", "letters", "country", "blank"]),
        fmt=FORMATS,
    )
    def register_invalid(self, case: str, fmt: str) -> None:
        user: dict[str, Any] = {
            "email": "ok@example.com",
            "cellphone": "201-555-0199",
            "country_code": 1,
        }
        expected = {
            "email": {"email": "is invalid"},
            "phone": {"cellphone": "is invalid"},
            "letters": {"cellphone": "is invalid"},
            "country": {"country_code": "is invalid"},
            "blank": {
                "email": "is invalid and can't be blank",
                "cellphone": "is invalid and can't be blank",
                "country_code": "is invalid and can't be blank",
            },
        }[case]
        if case == "email":
            user["email"] = "no at sign"
        elif case == "phone":
            user["cellphone"] = "555"
        elif case == "letters":
            user["cellphone"] = "201-FLOWERS"
        elif case == "country":
            user["country_code"] = 999
        else:
            user = {"email": " ", "cellphone": None}
        resp = self.client.post(
            f"/protected/{fmt}/users/new", json={"user": user}, headers=AUTH
        )
        body = self.refused(resp, fmt, 400, "60027")
        assert body["errors"] == {**expected, "message": "User was not valid"}

    @rule(uid=USER_IDS, fmt=FORMATS, path=st.sampled_from(["delete", "remove"]))
    def delete(self, uid: int, fmt: str, path: str) -> None:
        resp = self.client.post(f"/protected/{fmt}/users/{uid}/{path}", headers=AUTH)
        if uid not in self.users:
            self.refused(resp, fmt, 404, "60026")
            return
        body = self.answer(resp, fmt, 200)
        assert body["message"] == "User removed from application"
        del self.users[uid]

    @rule(uid=USER_IDS, fmt=FORMATS)
    def status(self, uid: int, fmt: str) -> None:
        resp = self.client.get(f"/protected/{fmt}/users/{uid}/status", headers=AUTH)
        user = self.users.get(uid)
        if user is None:
            self.refused(resp, fmt, 404, "60026")
            return
        body = self.answer(resp, fmt, 200)["status"]
        assert body["authy_id"] == uid
        assert body["confirmed"] is user.confirmed
        assert body["email"] == user.email
        assert body["phone_number"] == "XXX-XXX-" + user.phone[-4:]
        assert body["registered"] is False

    # -- tokens -------------------------------------------------------------------

    @rule(uid=USER_IDS, fmt=FORMATS)
    def sms(self, uid: int, fmt: str) -> None:
        resp = self.client.get(f"/protected/{fmt}/sms/{uid}?force=true", headers=AUTH)
        user = self.users.get(uid)
        if user is None:
            self.refused(resp, fmt, 404, "60026")
            return
        wait = retry_after(user.sends, self.now, SENDS)
        if wait is not None:
            self.refused(resp, fmt, 429, "60003")
            assert resp.headers["Retry-After"] == str(wait)
            return
        body = self.answer(resp, fmt, 200)
        assert body["message"] == "SMS token was sent"
        assert body["cellphone"] == "+1-XXX-XXX-XX" + user.phone[-2:]
        message = self.backend.inbox()[-1]
        assert (message.user_id, message.to, message.purpose) == (
            uid,
            "+1" + user.phone.replace("-", ""),
            "token",
        )
        assert message.code is not None and len(message.code) == 7
        user.codes.append(Code(value=message.code, expires_at=self.now + TTL))
        user.sends.append(self.now)

    @rule(uid=USER_IDS, times=st.integers(min_value=2, max_value=7), fmt=FORMATS)
    def sms_burst(self, uid: int, times: int, fmt: str) -> None:
        """Several sends in a row: the ``sends`` limit comes up (API.md §6)."""
        for _ in range(times):
            self.sms(uid, fmt)

    @rule(
        uid=USER_IDS,
        wait=st.sampled_from([0, 1, 599, 600]),
        replay=st.booleans(),
        force=st.booleans(),
        fmt=FORMATS,
        data=st.data(),
    )
    def login(
        self,
        uid: int,
        wait: int,
        replay: bool,
        force: bool,
        fmt: str,
        data: st.DataObject,
    ) -> None:
        """An SMS, some time, its code; maybe the same code again (§5.4)."""
        self.sms(uid, fmt)
        if wait:
            self.advance(wait)
        kind = "right" if wait < TTL else "expired"
        self.verify(uid, kind, force, fmt, data)
        if replay:
            self.verify(uid, "replayed", force, fmt, data)

    @rule(
        uid=USER_IDS,
        times=st.integers(min_value=4, max_value=12),
        fmt=FORMATS,
        data=st.data(),
    )
    def wrong_burst(self, uid: int, times: int, fmt: str, data: st.DataObject) -> None:
        """Several wrong tokens in a row: ``verify_failures`` comes up."""
        for _ in range(times):
            self.verify(uid, "wrong", True, fmt, data)

    @rule(
        uid=USER_IDS,
        kind=st.sampled_from(
            ["right", "right", "replayed", "expired", "wrong", "malformed"]
        ),
        force=st.booleans(),
        fmt=FORMATS,
        data=st.data(),
    )
    def verify(
        self, uid: int, kind: str, force: bool, fmt: str, data: st.DataObject
    ) -> None:
        user = self.users.get(uid)
        live = [c for c in user.codes if self.now < c.expires_at] if user else []
        token = data.draw(st.from_regex(r"[0-9]{7}", fullmatch=True), label="token")
        unused = [c.value for c in live if not c.used]
        used = [c.value for c in live if c.used]
        expired = [c.value for c in user.codes if c not in live] if user else []
        if kind == "right" and unused:
            token = data.draw(st.sampled_from(unused), label="right")
        elif kind == "replayed" and used:
            token = data.draw(st.sampled_from(used), label="replayed")
        elif kind == "expired" and expired:
            token = data.draw(st.sampled_from(expired), label="expired")
        elif kind == "malformed":
            token = data.draw(st.sampled_from(["12345", "12a4567", "1" * 13]))
        elif token in unused or token in used:
            token = "000000"  # "wrong" must not be a live code (7 digits each)
        query = "?force=true" if force else ""
        resp = self.client.get(
            f"/protected/{fmt}/verify/{token}/{uid}{query}", headers=AUTH
        )
        if user is None:
            self.refused(resp, fmt, 404, "60016")
            return
        wait = retry_after(user.failures, self.now, FAILURES)
        if wait is not None:
            self.refused(resp, fmt, 429, "60003")
            assert resp.headers["Retry-After"] == str(wait)
            return
        if not (token.isdigit() and 6 <= len(token) <= 12):
            self.refused(resp, fmt, 401, "60020")
            user.failures.append(self.now)
            return
        match = next((c for c in live if not c.used and c.value == token), None)
        if match is not None or (not force and not user.confirmed):
            body = self.answer(resp, fmt, 200)
            assert (body["message"], body["success"]) == ("Token is valid.", "true")
            assert body["device"]["os_type"] == "sms"
            if match is not None:
                match.used = True
                user.confirmed = True
            return
        user.failures.append(self.now)
        if token in used:
            body = self.refused(resp, fmt, 401, "60019")
        else:
            body = self.refused(resp, fmt, 401, "60020")
        assert body["token"] == "is invalid"

    # -- approval requests ----------------------------------------------------------

    @rule(uid=USER_IDS, ttl=st.sampled_from([0, 30, 600, 86400]), fmt=FORMATS)
    def create_approval(self, uid: int, ttl: int, fmt: str) -> None:
        self._create_approval(uid, ttl, fmt)

    def _create_approval(self, uid: int, ttl: int, fmt: str) -> str | None:
        resp = self.client.post(
            f"/onetouch/{fmt}/users/{uid}/approval_requests",
            json={"message": f"Login {uid}", "seconds_to_expire": ttl},
            headers=AUTH,
        )
        if uid not in self.users:
            self.refused(resp, fmt, 404, "60026")
            return None
        body = self.answer(resp, fmt, 200)
        uuid = body["approval_request"]["uuid"]
        assert uuid not in self.approvals
        self.approvals[uuid] = Approval(user=uid, created_at=self.now, ttl=ttl)
        return str(uuid)

    def _state(self, approval: Approval) -> tuple[str, float | None]:
        """The status and processed instant now (API.md §4.1)."""
        if approval.decision is not None:
            return approval.decision, approval.decided_at
        expiry = approval.created_at + approval.ttl
        if approval.ttl > 0 and self.now >= expiry:
            return "expired", expiry
        return "pending", None

    def _uuid(self, data: st.DataObject) -> str:
        known = sorted(self.approvals)
        unknown = st.just("3f05a350-4b2c-0136-f779-12c0c2bf9eaa")
        choice = st.sampled_from(known) | unknown if known else unknown
        return data.draw(choice, label="uuid")

    @rule(decision=st.sampled_from(["approve", "deny"]), data=st.data())
    def decide(self, decision: str, data: st.DataObject) -> None:
        self._decide(self._uuid(data), decision)

    def _decide(self, uuid: str, decision: str) -> None:
        resp = self.client.post(f"/_mock/approval_requests/{uuid}/{decision}")
        approval = self.approvals.get(uuid)
        if approval is None:
            body = self.refused(resp, "json", 404, "60049")
            assert body["message"] == f"Approval request not found: {uuid}"
            return
        if self._state(approval)[0] != "pending":
            self.refused(resp, "json", 409, "60079")
            return
        self.answer(resp, "json", 200)
        approval.decision = "approved" if decision == "approve" else "denied"
        approval.decided_at = self.now

    @rule(fmt=FORMATS, data=st.data())
    def approval_status(self, fmt: str, data: st.DataObject) -> None:
        self._approval_status(self._uuid(data), fmt)

    @rule(
        uid=USER_IDS,
        ttl=st.sampled_from([30, 600]),
        early=st.booleans(),
        decision=st.sampled_from([None, "approve", "deny"]),
        fmt=FORMATS,
    )
    def approval_at_expiry(
        self, uid: int, ttl: int, early: bool, decision: str | None, fmt: str
    ) -> None:
        """A request read (and maybe decided) one second before or at its expiry
        instant (API.md §4.1: expired when now >= creation + seconds_to_expire)."""
        uuid = self._create_approval(uid, ttl, fmt)
        if uuid is None:
            return  # no such user: refused above
        self.advance(ttl - 1 if early else ttl)
        if decision is not None:
            self._decide(uuid, decision)
        self._approval_status(uuid, fmt)

    def _approval_status(self, uuid: str, fmt: str) -> None:
        resp = self.client.get(
            f"/onetouch/{fmt}/approval_requests/{uuid}", headers=AUTH
        )
        approval = self.approvals.get(uuid)
        if approval is None:
            self.refused(resp, fmt, 404, "60049")
            return
        document = self.answer(resp, fmt, 200)["approval_request"]
        status, processed = self._state(approval)
        assert document["status"] == status
        assert document["processed_at"] == (
            None if processed is None else stamp(processed)
        )
        assert document["created_at"] == stamp(approval.created_at)
        assert document["seconds_to_expire"] == approval.ttl
        assert document["_authy_id"] == approval.user
        assert document["uuid"] == uuid

    # -- time -----------------------------------------------------------------------

    @rule(seconds=st.sampled_from([1, 10, 29, 30, 299, 599, 600, 3600]))
    def advance(self, seconds: int) -> None:
        resp = self.client.post("/_mock/clock", json={"advance": seconds})
        self.answer(resp, "json", 200)
        self.now += seconds
        assert resp.json["now"] == self.now  # type: ignore[index]

    @invariant()
    def same_users(self) -> None:
        assert sorted(self.backend.users) == sorted(self.users)


ApiModel.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestApiModel = ApiModel.TestCase
