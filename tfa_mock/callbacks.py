"""Signed OneTouch callbacks: the body, one HTTP attempt, and the delivery worker.

The body of API.md §4.4 is built under the backend's lock at decision time (the
device signature is drawn then, §8); attempts run on the worker thread, outside the
lock, with the 5-second real-time timeout of §4.5. Retry times are mock-clock times:
the worker wakes on every clock change and on a one-second real sweep, runs what is
due and records each attempt through the backend.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tfa_core.approval import ApprovalRequest

from .backend.records import AppRecord, Device

__all__ = [
    "ATTEMPT_TIMEOUT",
    "NO_DEVICE_UUID",
    "RETRY_DELAYS",
    "AttemptResult",
    "DeliveryWorker",
    "PreparedAttempt",
    "body_text",
    "callback_payload",
    "send",
]

# API.md §4.5: retries 1, 2, 4, 8, 16 clock seconds after each failure; six at most.
RETRY_DELAYS = (1, 2, 4, 8, 16)
ATTEMPT_TIMEOUT = 5.0  # real seconds
NO_DEVICE_UUID = "00000000-0000-0000-0000-000000000000"
SWEEP_SECONDS = 1.0


def callback_payload(
    *,
    app: AppRecord,
    user_id: int,
    device: Device | None,
    request: ApprovalRequest,
    event: str,
    at: float,
    device_signature: bytes,
) -> dict[str, Any]:
    """The callback body of API.md §4.4, in its key order."""
    expiration = (
        int(request.created_at + request.seconds_to_expire)
        if request.seconds_to_expire
        else None
    )
    logos = (
        [{"res": logo.res, "url": logo.url} for logo in request.logos]
        if request.logos
        else None
    )
    return {
        "authy_id": user_id,
        "device_uuid": device.uuid if device is not None else NO_DEVICE_UUID,
        "callback_action": "approval_request_status",
        "uuid": request.uuid,
        "status": event,
        "approval_request": {
            "transaction": {
                "details": _copy(request.details),
                "device_details": {},
                "device_geolocation": "",
                "device_signing_time": int(at),
                "encrypted": False,
                "flagged": False,
                "hidden_details": _copy(request.hidden_details),
                "message": request.message,
                "reason": "",
                "requester_details": None,
                "status": event,
                "uuid": request.uuid,
                "created_at_time": int(request.created_at),
                "customer_uuid": app.app_id,
            },
            "expiration_timestamp": expiration,
            "logos": logos,
            "app_id": app.object_id,
        },
        "signature": base64.b64encode(device_signature).decode("ascii"),
        "device": _device(device),
    }


def _copy(details: Mapping[str, str] | None) -> dict[str, str] | None:
    return dict(details) if details is not None else None


def _device(device: Device | None) -> dict[str, Any]:
    """The 14-key device object of §4.4 (``os_type`` ``unknown`` without a device)."""
    installed = int(device.installed_at) if device is not None else None
    return {
        "city": None,
        "country": None,
        "ip": None,
        "region": None,
        "registration_city": None,
        "registration_country": None,
        "registration_ip": None,
        "registration_method": None,
        "registration_region": None,
        "os_type": device.kind if device is not None else "unknown",
        "last_account_recovery_at": None,
        "id": device.id if device is not None else None,
        "registration_date": installed,
        "last_sync_date": installed,
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedAttempt:
    """One signed request, ready to send (built under the backend's lock)."""

    delivery_id: int
    time: float
    nonce: str
    method: str
    url: str  # with the canonical query for GET
    headers: dict[str, str]
    body: str
    scheduled: bool  # False for a redelivery by hand


@dataclass(frozen=True, slots=True, kw_only=True)
class AttemptResult:
    """What came back: a status code, or an error (`connection refused`, `timeout`)."""

    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        """Any 2xx acknowledges (API.md §4.3)."""
        return self.status_code is not None and 200 <= self.status_code < 300


def send(
    prepared: PreparedAttempt, *, timeout: float = ATTEMPT_TIMEOUT
) -> AttemptResult:
    """Send one attempt; never raises for network trouble.

    http.client rather than urllib: urllib re-capitalises header names
    (``X-tfa-signature``), and receivers may look for ``X-TFA-Signature`` exactly.
    Redirects are not followed: a 3xx is an answer, not an acknowledgement.
    """
    parts = urllib.parse.urlsplit(prepared.url)
    connection_class = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    data = prepared.body.encode("utf-8") if prepared.method == "POST" else None
    try:
        connection = connection_class(parts.netloc, timeout=timeout)
        try:
            connection.request(
                prepared.method, target, body=data, headers=prepared.headers
            )
            response = connection.getresponse()
            response.read()
            return AttemptResult(status_code=int(response.status), error=None)
        finally:
            connection.close()
    except TimeoutError:
        return AttemptResult(status_code=None, error="timeout")
    except (OSError, http.client.HTTPException, ValueError) as error:
        return AttemptResult(status_code=None, error=_reason(error))


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timeout"
    if isinstance(reason, OSError) and reason.strerror:
        return str(reason.strerror).lower()
    return str(reason) or type(reason).__name__


class DeliveryWorker:
    """A daemon thread that runs due attempts whenever woken, and every second."""

    def __init__(
        self,
        run_due: Callable[[], None],
        *,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self._run_due = run_due
        self._sweep = sweep_seconds
        self._cond = threading.Condition()
        self._woken = False
        self._stopped = False
        self._thread = threading.Thread(
            target=self._loop, name="tfa-mock-callbacks", daemon=True
        )

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def wake(self) -> None:
        """Run due work now (called on clock changes and new deliveries)."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop after the current attempt."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=ATTEMPT_TIMEOUT + 1)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._woken or self._stopped, self._sweep)
                if self._stopped:
                    return
                self._woken = False
            self._run_due()


def body_text(payload: Mapping[str, Any]) -> str:
    """The compact JSON body of a POST callback (API.md §1.4 serialisation)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
