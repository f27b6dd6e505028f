"""Callback deliveries: created on decisions and expiries, attempted by the worker.

A decision (or a noticed expiry, when the app asks for it) creates a
:class:`Delivery` under the lock with the payload of that instant; the worker takes
due attempts (signed with the app's current key and a nonce from the clock), sends
them outside the lock and records the results here (API.md §4.2-4.5, §7.10).
"""

from __future__ import annotations

import threading
from typing import Any

from tfa_core import approval, signature
from tfa_core.approval import Status

from .. import callbacks
from ..callbacks import AttemptResult, PreparedAttempt
from ..wire import errors
from .base import BackendBase, trim
from .records import ApprovalRecord, Delivery

__all__ = ["DeliveryOps"]


class DeliveryOps(BackendBase):
    """Deliveries of signed callbacks and the worker that sends them."""

    _worker: callbacks.DeliveryWorker | None = None
    _worker_lock = threading.Lock()

    # -- hooks of the approval lifecycle -------------------------------------------

    def _on_decision(self, record: ApprovalRecord) -> None:
        """Queue the callback of an approval or denial (under the lock)."""
        self._queue_delivery(record)
        self.touch()

    def _on_clock_change(self) -> None:
        # Read once: close() may set _worker to None from another thread.
        worker = self._worker
        if worker is not None:
            worker.wake()
        elif self._worker_wanted():
            self._ensure_worker()

    def _on_state_restored(self) -> None:
        """A snapshot was installed: pending deliveries resume their schedule."""
        self._on_clock_change()

    def notice_expiries(self) -> None:
        """Queue the expiry callbacks of requests that expired by the clock (§4.2)."""
        with self.lock:
            now = self.now()
            for record in self.approvals.values():
                self._notice_expiry(record, now)

    def _notice_expiry(self, record: ApprovalRecord, now: float) -> None:
        if record.expiry_noticed:
            return
        if approval.status_at(record.request, now=now) is not Status.EXPIRED:
            return
        record.expiry_noticed = True
        app = self.apps.get(record.app_id)
        if app is not None and app.callback_on_expiry:
            self._queue_delivery(record)

    def _worker_wanted(self) -> bool:
        """Pending deliveries, or an app that wants expiry callbacks (§4.2)."""
        with self.lock:
            return any(d.status == "pending" for d in self.deliveries) or any(
                app.callback_url and app.callback_on_expiry
                for app in self.apps.values()
            )

    def _queue_delivery(self, record: ApprovalRecord) -> None:
        app = self.apps.get(record.app_id)
        if app is None or not app.callback_url:
            return
        now = self.now()
        status = approval.status_at(record.request, now=now)
        at = approval.processed_at(record.request, now=now) or now
        user = self.users.get(record.user_id)
        device = user.device if user is not None else record.device
        payload = callbacks.callback_payload(
            app=app,
            user_id=record.user_id,
            device=device,
            request=record.request,
            event=status.value,
            at=at,
            device_signature=self.rng.randbytes(256),
        )
        delivery = Delivery(
            id=self.next_id("delivery"),
            app_id=app.app_id,
            approval_request_uuid=record.request.uuid,
            event=status.value,
            method=app.callback_method,
            url=app.callback_url,
            payload=payload,
            next_attempt_at=now,
        )
        self.deliveries.append(delivery)
        # The log keeps its newest entries (issue 8); a dropped delivery's attempt
        # in flight finds no record and is let go (_finish).
        trim(self.deliveries, self.max_deliveries)
        self._ensure_worker()
        worker = self._worker  # read once (close() may clear it meanwhile)
        if worker is not None:
            worker.wake()

    # -- the worker ------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        with self._worker_lock:
            if self._worker is None:
                self._worker = callbacks.DeliveryWorker(self.run_due_deliveries)
                self._worker.start()

    def close(self) -> None:
        """Stop the delivery worker (the server is going away)."""
        with self._worker_lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop()

    def run_due_deliveries(self) -> None:
        """Notice expiries, then send every due attempt (the worker's one job)."""
        self.notice_expiries()
        for prepared in self._take_due():
            self._finish(prepared, callbacks.send(prepared))

    def _take_due(self) -> list[PreparedAttempt]:
        with self.lock:
            now = self.now()
            due = [
                d
                for d in self.deliveries
                if d.status == "pending"
                and not d.in_flight
                and d.next_attempt_at is not None
                and d.next_attempt_at <= now
            ]
            for delivery in due:
                delivery.in_flight = True
            return [self._prepare(d, now, scheduled=True) for d in due]

    def _prepare(
        self, delivery: Delivery, now: float, *, scheduled: bool
    ) -> PreparedAttempt:
        app = self.apps[delivery.app_id]
        nonce = str(int(now))
        canonical = signature.canonical(delivery.payload)
        headers = signature.signed_headers(
            app.api_key, nonce, delivery.method, delivery.url, canonical
        )
        if delivery.method == "POST":
            url, body = delivery.url, callbacks.body_text(delivery.payload)
            headers = {"Content-Type": "application/json", **headers}
        else:
            url, body = f"{delivery.url}?{canonical}", ""
        return PreparedAttempt(
            delivery_id=delivery.id,
            time=now,
            nonce=nonce,
            method=delivery.method,
            url=url,
            headers=headers,
            body=body,
            scheduled=scheduled,
        )

    def _finish(self, prepared: PreparedAttempt, result: AttemptResult) -> None:
        with self.lock:
            delivery = self._find_delivery(prepared.delivery_id)
            if delivery is None:  # removed by a reset while in flight
                return
            delivery.attempts.append(
                {
                    "time": prepared.time,
                    "nonce": prepared.nonce,
                    "url": prepared.url,
                    "request_headers": dict(prepared.headers),
                    "request_body": prepared.body,
                    "status_code": result.status_code,
                    "error": result.error,
                }
            )
            if prepared.scheduled:
                delivery.in_flight = False
            if result.ok:
                delivery.status = "delivered"
                delivery.next_attempt_at = None
            elif prepared.scheduled and delivery.status == "pending":
                delivery.scheduled_attempts += 1
                if delivery.scheduled_attempts > len(callbacks.RETRY_DELAYS):
                    delivery.status = "failed"
                    delivery.next_attempt_at = None
                else:
                    delay = callbacks.RETRY_DELAYS[delivery.scheduled_attempts - 1]
                    delivery.next_attempt_at = prepared.time + delay
            self.touch()

    def _find_delivery(self, delivery_id: int) -> Delivery | None:
        return next((d for d in self.deliveries if d.id == delivery_id), None)

    # -- the control API (§7.10) ------------------------------------------------

    def list_deliveries(
        self, *, app_id: int | None = None, uuid: str | None = None
    ) -> list[dict[str, Any]]:
        """Deliveries oldest first, as the documents of §7.10."""
        with self.lock:
            return [
                delivery_document(d)
                for d in self.deliveries
                if (app_id is None or d.app_id == app_id)
                and (uuid is None or d.approval_request_uuid == uuid)
            ]

    def redeliver(self, delivery_id: int) -> dict[str, Any]:
        """One attempt now, synchronously, with a fresh nonce; the schedule stays."""
        with self.lock:
            delivery = self._find_delivery(delivery_id)
            if delivery is None:
                raise errors.NotFound()
            prepared = self._prepare(delivery, self.now(), scheduled=False)
        self._finish(prepared, callbacks.send(prepared))
        with self.lock:
            found = self._find_delivery(delivery_id)
            if found is None:
                raise errors.NotFound()
            return delivery_document(found)


def delivery_document(delivery: Delivery) -> dict[str, Any]:
    """A delivery as the control API shows it (API.md §7.10)."""
    return {
        "id": delivery.id,
        "app_id": delivery.app_id,
        "approval_request_uuid": delivery.approval_request_uuid,
        "event": delivery.event,
        "method": delivery.method,
        "url": delivery.url,
        "status": delivery.status,
        "next_attempt_at": delivery.next_attempt_at,
        "attempts": [
            dict(a, request_headers=dict(a["request_headers"]))
            for a in delivery.attempts
        ],
    }
