"""Control views of the server's records: journal, faults, snapshot (API.md §7.11-7.13).

The journal of API requests, the injected faults and the whole state as data. What
a fault does and how a snapshot is checked and restored live in the backend.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Response

from ..api._endpoint import backend
from ..wire.params import get_int, get_str
from ._http import OK, read_body, read_query, reply
from .guard import bp

__all__: list[str] = []  # views only: they register on ``bp``

# -- §7.11 journal -------------------------------------------------------------------


@bp.get("/requests")
def requests_list() -> Response:
    params = read_query()
    entries = backend().journal_entries(
        path=get_str(params, "path", trim=False) or None,
        app_id=get_int(params, "app_id"),
    )
    return reply({"requests": [asdict(e) for e in entries]})


@bp.delete("/requests")
def requests_clear() -> Response:
    backend().clear_journal()
    return reply(OK)


# -- §7.12 faults --------------------------------------------------------------------


@bp.post("/faults")
def faults_add() -> Response:
    return reply(asdict(backend().add_fault(read_body())))


@bp.get("/faults")
def faults_list() -> Response:
    return reply({"faults": [asdict(f) for f in backend().list_faults()]})


@bp.delete("/faults")
def faults_clear() -> Response:
    backend().clear_faults()
    return reply(OK)


# -- §7.13 snapshot ------------------------------------------------------------------


@bp.get("/snapshot")
def snapshot_get() -> Response:
    return reply(backend().export_snapshot())


@bp.post("/snapshot")
def snapshot_post() -> Response:
    backend().restore_snapshot(read_body())
    return reply(OK)
