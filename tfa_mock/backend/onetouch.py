"""OneTouch approval requests: create, read, list, approve, deny (API.md §3.18-3.19,
§4.1, §7.8-7.9).

Keeps one :class:`ApprovalRecord` per request: the pure tfa_core.approval value plus
what documents and callbacks need of the app, the user and the device at creation.
Expiry is lazy (tfa_core.approval.status_at); a read that finds a request expired
notices it once (``_notice_expiry``, API.md §4.2). Callbacks are not sent here:
approve and deny call the ``_on_decision`` hook of BackendBase, which the callback
deliveries override. Parameters arrive already shaped by the wire (api/onetouch.py);
the rules are tfa_core.approval's. No documents are built here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from tfa_core import approval
from tfa_core.approval import Approve, Deny, Event, Logo, Status
from tfa_core.errors import InvalidApprovalParameter, InvalidTransition

from ..wire import errors
from .base import BackendBase
from .records import ApprovalRecord

__all__ = ["ApprovalFields", "OneTouchOps"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalFields:
    """The parameters of a new request as the wire read them (API.md §3.18).

    Details are already text; ``seconds_to_expire`` None means the default.
    """

    message: str
    details: Mapping[str, str] | None = None
    hidden_details: Mapping[str, str] | None = None
    logos: Sequence[Logo | Mapping[str, object]] | None = None
    seconds_to_expire: int | None = None


class OneTouchOps(BackendBase):
    """Approval requests (mixed into :class:`Backend`)."""

    def create_approval(
        self,
        app_id: int,
        user_id: object,
        read_fields: Callable[[], ApprovalFields],
    ) -> ApprovalRecord:
        """Create a pending request for a user of *app_id* (API.md §3.18).

        Errors in the order of §3.18: unknown user 60026, suspended 60017, then the
        parameters (60004), which is why they are read through *read_fields* only
        after the user checks. A user without a device is accepted (``notified``
        false). The uuid and object id are drawn only once everything is valid.
        """
        with self.lock:
            now = self.now()
            app = self._app(app_id)
            user = self._user(app_id, user_id)
            if user.suspended:
                raise errors.UserSuspended()
            fields = read_fields()
            try:
                request = approval.create(
                    uuid="",
                    message=fields.message,
                    now=now,
                    details=fields.details,
                    hidden_details=fields.hidden_details,
                    logos=fields.logos,
                    seconds_to_expire=fields.seconds_to_expire,
                )
            except InvalidApprovalParameter as problem:
                raise errors.InvalidParameter(problem.param, problem.reason) from None
            request = replace(request, uuid=self.draw_uuid())
            record = ApprovalRecord(
                app_id=app_id,
                user_id=user.id,
                object_id=self.draw_hex(24),
                user_object_id=user.object_id,
                user_email=user.email,
                notified=user.device is not None,
                request=request,
                device=replace(user.device) if user.device is not None else None,
                app_name=app.name,
                app_object_id=app.object_id,
            )
            self.approvals[request.uuid] = record
            self.touch()
            return replace(record)

    def get_approval(self, app_id: int, uuid: str) -> tuple[ApprovalRecord, float]:
        """A copy of the request *uuid* of *app_id* and the instant it was read.

        Another app's or an unknown uuid -> 60049 (API.md §3.19). The read notices
        an expiry (API.md §4.2).
        """
        with self.lock:
            now = self.now()
            record = self.approvals.get(uuid)
            if record is None or record.app_id != app_id:
                raise errors.ApprovalNotFound(uuid)
            self._notice_expiry(record, now)
            return replace(record), now

    def list_approvals(
        self,
        app_id: int | None = None,
        user_id: int | None = None,
        status: Status | str | None = None,
    ) -> list[ApprovalRecord]:
        """Copies of the requests, oldest first, filtered on the app, the user and
        the current (lazily expired) status (API.md §7.8)."""
        wanted = status.value if isinstance(status, Status) else status
        with self.lock:
            now = self.now()
            found = []
            for record in self.approvals.values():
                self._notice_expiry(record, now)
                current = approval.status_at(record.request, now=now)
                if (
                    (app_id is None or record.app_id == app_id)
                    and (user_id is None or record.user_id == user_id)
                    and (wanted is None or current.value == wanted)
                ):
                    found.append(replace(record))
            return found

    def approve(self, uuid: str) -> ApprovalRecord:
        """The device approves *uuid* (API.md §7.9): unknown -> 60049, not pending
        (decided, or expired by the clock) -> 409/60079."""
        return self._decide(uuid, Approve())

    def deny(self, uuid: str) -> ApprovalRecord:
        """The device denies *uuid* (API.md §7.9); errors as :meth:`approve`."""
        return self._decide(uuid, Deny())

    def _decide(self, uuid: str, event: Event) -> ApprovalRecord:
        with self.lock:
            now = self.now()
            record = self.approvals.get(uuid)
            if record is None:
                raise errors.ApprovalNotFound(uuid)
            self._notice_expiry(record, now)
            try:
                record.request = approval.apply(record.request, event, now=now)
            except InvalidTransition:
                raise errors.NotPending() from None
            self._on_decision(record)
            self.touch()
            return replace(record)

    def _notice_expiry(self, record: ApprovalRecord, now: float) -> None:
        """Mark a request found expired as noticed, once (API.md §4.2).

        The callback deliveries override this to also queue the expiry callback.
        """
        if not record.expiry_noticed and (
            approval.status_at(record.request, now=now) is Status.EXPIRED
        ):
            record.expiry_noticed = True
