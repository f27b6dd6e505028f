"""Control views of approval requests and their callbacks (API.md §7.8-7.10).

Approve, deny and list requests, list and redeliver callback deliveries. The
transitions and the delivery worker live in the backend; documents are the API's
(``approval_document`` of ``api.onetouch``).
"""

from __future__ import annotations

from flask import Response

from ..api._endpoint import backend
from ..api.onetouch import approval_document
from ..wire import errors
from ..wire.params import get_int, get_str
from ._http import path_id, read_query, reply
from .guard import bp

__all__: list[str] = []  # views only: they register on ``bp``

_STATUSES = ("pending", "approved", "denied", "expired")


# -- §7.8-7.9 approval requests ------------------------------------------------------


@bp.get("/approval_requests")
def approvals_list() -> Response:
    params = read_query()
    status = get_str(params, "status") or None
    if status is not None and status not in _STATUSES:
        raise errors.InvalidParameter(
            "status", "Must be one of: " + ", ".join(_STATUSES)
        )
    the_backend = backend()
    records = the_backend.list_approvals(
        app_id=get_int(params, "app_id"),
        user_id=get_int(params, "user_id"),
        status=status,
    )
    now = the_backend.now()
    documents = [approval_document(r, now) for r in records]
    return reply({"approval_requests": documents})


@bp.post("/approval_requests/<uuid>/approve")
def approval_approve(uuid: str) -> Response:
    the_backend = backend()
    record = the_backend.approve(uuid)
    document = approval_document(record, the_backend.now())
    return reply({"approval_request": document, "success": True})


@bp.post("/approval_requests/<uuid>/deny")
def approval_deny(uuid: str) -> Response:
    the_backend = backend()
    record = the_backend.deny(uuid)
    document = approval_document(record, the_backend.now())
    return reply({"approval_request": document, "success": True})


# -- §7.10 callback deliveries -------------------------------------------------------


@bp.get("/callbacks")
def callbacks_list() -> Response:
    params = read_query()
    deliveries = backend().list_deliveries(
        app_id=get_int(params, "app_id"), uuid=get_str(params, "uuid") or None
    )
    return reply({"callbacks": deliveries})


@bp.post("/callbacks/<delivery_id>/redeliver")
def callbacks_redeliver(delivery_id: str) -> Response:
    the_id = path_id(delivery_id, errors.NotFound)
    return reply(backend().redeliver(the_id))
