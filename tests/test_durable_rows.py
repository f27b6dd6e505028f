"""Durable state (issue 8): the rows a Tracker writes incrementally always load back
to exactly what ``export_snapshot`` shows, and only changed records are rewritten.
"""

from __future__ import annotations

import contextlib
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.test_durable import KEY, NOW
from tfa_mock import persist
from tfa_mock.backend import Backend
from tfa_mock.backend.onetouch import ApprovalFields
from tfa_mock.store import Changes, StateStore
from tfa_mock.wire.errors import ApiError


@dataclass
class _Ops:
    """Random backend operations of every kind, on a backend with small caps."""

    backend: Backend
    rng: random.Random
    phones: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    earlier: list[dict[str, Any]] = field(default_factory=list)

    def _user(self) -> int | None:
        users = list(self.backend.users)
        return self.rng.choice(users) if users else None

    def _approval(self) -> str | None:
        uuids = list(self.backend.approvals)
        return self.rng.choice(uuids) if uuids else None

    def step(self) -> None:
        b, rng = self.backend, self.rng
        user, uuid = self._user(), self._approval()
        apps = list(b.apps)
        moves: list[Callable[[], object]] = [
            lambda: b.register_user(
                rng.choice(apps),
                email=f"x{rng.randrange(9)}@example.com",
                cellphone=f"201555{rng.choice([next(self.phones), 1]):04d}",
                country_code=1,
                send_install_link=rng.random() < 0.5,
            ),
            lambda: b.send_token(
                1,
                user,
                channel=rng.choice(["sms", "voice"]),
                force=True,
                action=None,
                action_message=None,
            ),
            lambda: b.verify_token(1, user, "0000000", force=True, action=None),
            lambda: b.create_approval(1, user, lambda: ApprovalFields(message="m")),
            lambda: b.approve(uuid or "none"),
            lambda: b.deny(uuid or "none"),
            lambda: b.remove_user(1, user),
            lambda: b.install_device(user or 0, rng.choice(["android", "iphone"])),
            lambda: b.remove_device(user or 0),
            lambda: b.add_fault({"endpoint": "sms", "times": 2}),
            lambda: b.take_fault("sms", lambda: None),
            lambda: b.patch_app(1, {"limits": {"sends": {"max": 50, "window": 60}}}),
            lambda: b.new_app({"name": f"App {rng.randrange(99)}"}),
            lambda: b.reset_app(rng.choice(apps)),
            lambda: b.clear_inbox(),
            lambda: b.clear_journal(),
            lambda: b.start_verification(
                1, via="sms", country_code=1, phone_number="2015550177"
            ),
            lambda: b.record_request(
                method="GET",
                path="/protected/json/app/details",
                app_id=1,
                status=200,
                error_code=None,
                duration_ms=1,
            ),
            lambda: b.clock.advance(rng.choice([1, 700])),
            lambda: self.earlier.append(b.export_snapshot()),
            lambda: b.restore_snapshot(rng.choice(self.earlier or [{}])),
            self._reset_all,
        ]
        with contextlib.suppress(ApiError):  # refused operations belong to the mix
            rng.choice(moves)()

    def _reset_all(self) -> None:
        self.backend.reset_all()
        self.backend.clock.freeze()
        self.backend.clock.set(NOW)


@pytest.mark.parametrize("seed", range(4))
def test_incremental_rows_load_back_to_the_state(tmp_path: Path, seed: int) -> None:
    backend = Backend(
        seed=seed, api_key=KEY, max_messages=6, max_journal=4, max_deliveries=3
    )
    backend.clock.freeze()
    backend.clock.set(NOW)
    backend.patch_app(1, {"callback_url": "http://127.0.0.1:9/callback"})
    store = StateStore(str(tmp_path / "state.db"))
    tracker = persist.Tracker(backend, store)
    ops = _Ops(backend, random.Random(seed))
    try:
        for _ in range(250):
            ops.step()
            # Under the lock: the delivery worker must not move between the two.
            with backend.lock:
                tracker.save()
                real_now = backend.clock.real()
                assert store.load(real_now=real_now) == backend.export_snapshot()
    finally:
        backend.close()
        store.close()


def test_a_record_changed_in_place_is_saved(tmp_path: Path) -> None:
    backend = Backend(seed=1, api_key=KEY)
    store = StateStore(str(tmp_path / "state.db"))
    tracker = persist.Tracker(backend, store)
    uid = backend.register_user(
        1,
        email="a@example.com",
        cellphone="2015550100",
        country_code=1,
        send_install_link=False,
    )
    tracker.save()
    # Not through an operation: the same object, a field changed (a lone surrogate
    # must not break the file's UTF-8 either).
    backend.users[uid].email = "b\ud800@example.com"
    tracker.save()
    saved = store.load(real_now=backend.clock.real())
    store.close()
    assert saved is not None
    users = {uid: user for uid, user in saved["users"]}
    assert users[uid]["email"] == "b\ud800@example.com"


class RecordingStore(StateStore):
    """A store that keeps every Changes it is asked to write."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.written: list[Changes] = []

    def write(self, changes: Changes) -> None:
        self.written.append(changes)
        super().write(changes)


def test_saves_write_only_changed_records(tmp_path: Path) -> None:
    backend = Backend(seed=1, api_key=KEY)
    backend.clock.freeze()
    store = RecordingStore(str(tmp_path / "state.db"))
    tracker = persist.Tracker(backend, store)
    for n in range(20):
        backend.register_user(
            1,
            email="a@example.com",
            cellphone=f"20155501{n:02d}",
            country_code=1,
            send_install_link=False,
        )
    tracker.save()
    store.written.clear()
    tracker.save()
    backend.users[1005].confirmed = True
    tracker.save()
    store.close()
    first, second = store.written
    assert not first  # nothing changed: no transaction at all
    assert [(part, seq) for part, seq, _ in second.upserts] == [("users", 5)]
    assert not second.deletes and not second.meta
