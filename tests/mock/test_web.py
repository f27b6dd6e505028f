"""The web inbox through the Flask test client: the page, its data, its event stream,
escaping and the control token (the browser tests drive the same page in Chromium)."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.mock._users import register
from tests.mock.conftest import API_KEY, NOW
from tfa_mock.app import create_app
from tfa_mock.backend import Backend
from tfa_mock.config import MockConfig
from tfa_mock.web import stop_streams
from tfa_mock.web.events import change_event, client_gone, event_stream
from tfa_mock.web.page import MAX_MESSAGES, MAX_USERS

AUTH = {"X-TFA-API-Key": API_KEY}
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def closing_backend(backend: Backend) -> Iterator[Backend]:
    """The seeded backend, its delivery worker stopped afterwards."""
    yield backend
    backend.close()


def new_approval(client: FlaskClient, uid: int, **fields: Any) -> str:
    fields.setdefault("message", "Login requested")
    resp = client.post(
        f"/onetouch/json/users/{uid}/approval_requests", json=fields, headers=AUTH
    )
    assert resp.status_code == 200, resp.data
    uuid: str = resp.json["approval_request"]["uuid"]  # type: ignore[index]
    return uuid


def page_data(client: FlaskClient, **kwargs: Any) -> dict[str, Any]:
    resp = client.get("/_mock/page", **kwargs)
    assert resp.status_code == 200, resp.data
    assert resp.content_type == "application/json"
    assert resp.headers["Cache-Control"] == "no-store"
    data: dict[str, Any] = resp.json  # type: ignore[assignment]
    return data


def embedded_state(text: str) -> dict[str, Any]:
    found = re.search(
        r'<script id="tfa-state" type="application/json">(.*?)</script>', text, re.S
    )
    assert found is not None
    state: dict[str, Any] = json.loads(found.group(1))
    return state


# -- the page ------------------------------------------------------------------------


def test_page_is_plain_html_with_its_own_assets(client: FlaskClient) -> None:
    resp = client.get("/")
    assert resp.status_code == 200
    assert resp.content_type == "text/html; charset=utf-8"
    assert resp.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    text = resp.get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="([^"]+)"', text)
    assert "/_web/static/inbox.css" in assets
    assert "/_web/static/inbox.js" in assets
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for asset in ("/_web/static/inbox.css", "/_web/static/inbox.js"):
        static = client.get(asset)
        assert static.status_code == 200 and static.data
        static.close()
    for button in ("Freeze", "+30 s", "+5 min"):
        assert f">{button}</button>" in text


def test_page_embeds_the_state_of_page_json(client: FlaskClient) -> None:
    uid = register(client)
    client.get(f"/protected/json/sms/{uid}?force=true", headers=AUTH)
    state = embedded_state(client.get("/").get_data(as_text=True))
    assert state == page_data(client)
    assert state["messages"][0]["user_id"] == uid


def test_page_json_shows_what_the_page_needs(
    client: FlaskClient, closing_backend: Backend
) -> None:
    uid = register(client)
    other = register(client, email="bo@example.com", cellphone="201-555-0199")
    client.post(f"/_mock/users/{uid}/devices", json={"kind": "iphone"})
    client.get(f"/protected/json/sms/{uid}?force=true", headers=AUTH)
    client.get(f"/protected/json/sms/{other}?force=true", headers=AUTH)
    pending = new_approval(client, uid, details={"Account Number": "981266321"})
    decided = new_approval(client, uid, message="Pay 10 EUR")
    client.post(f"/_mock/approval_requests/{decided}/approve")
    enrolled = client.post(f"/protected/json/users/{uid}/secret", headers=AUTH).json
    client.post("/_mock/faults", json={"endpoint": "sms", "times": 2})

    data = page_data(client)

    assert data["clock"] == {"now": NOW, "frozen": True}
    assert data["version"] == closing_backend.version
    inbox = client.get("/_mock/inbox").json["messages"]  # type: ignore[index]
    assert data["messages"] == inbox[::-1]  # newest first, same documents
    assert data["messages_total"] == len(inbox)
    ana, bo = data["users"]
    assert (ana["id"], ana["email"], ana["phone"]) == (
        uid,
        "ana@example.com",
        "+12015550123",
    )
    assert ana["device"]["kind"] == "iphone"
    assert ana["totp"] == client.get(f"/_mock/users/{uid}/totp").json
    assert ana["generic_enrolled"] is True
    assert ana["generic_totp"] == client.get(f"/_mock/users/{uid}/totp?generic=1").json
    assert enrolled is not None
    assert enrolled["qr_code"].endswith(ana["qr_url"])
    assert (bo["device"], bo["generic_enrolled"], bo["generic_totp"]) == (
        None,
        False,
        None,
    )
    assert bo["qr_url"] is None
    listed = client.get("/_mock/approval_requests?status=pending").json
    assert listed is not None
    assert data["approval_requests"] == listed["approval_requests"]
    assert [a["uuid"] for a in data["approval_requests"]] == [pending]
    assert data["faults"] == client.get("/_mock/faults").json["faults"]  # type: ignore[index]
    assert data["apps"] == [{"app_id": 1, "name": "Default App"}]


def test_deliveries_newest_first_without_bodies(
    client: FlaskClient, closing_backend: Backend
) -> None:
    # Port 9 (discard) on loopback refuses: the attempts fail, the list stays.
    client.patch("/_mock/apps/1", json={"callback_url": "http://127.0.0.1:9/cb"})
    uid = register(client)
    first = new_approval(client, uid)
    second = new_approval(client, uid)
    client.post(f"/_mock/approval_requests/{first}/approve")
    client.post(f"/_mock/approval_requests/{second}/deny")
    rows = page_data(client)["deliveries"]
    assert [(r["id"], r["approval_request_uuid"], r["event"]) for r in rows] == [
        (2, second, "denied"),
        (1, first, "approved"),
    ]
    assert set(rows[0]) == {
        "id", "app_id", "approval_request_uuid", "event", "method", "url",
        "status", "next_attempt_at", "attempts", "last_attempt",
    }  # fmt: skip
    assert rows[0]["url"] == "http://127.0.0.1:9/cb"


def test_page_json_keeps_the_newest_messages(
    client: FlaskClient, backend: Backend
) -> None:
    extra = MAX_MESSAGES + 5
    with backend.lock:
        for n in range(extra):
            backend.deliver(
                app_id=1,
                channel="sms",
                to="+12015550123",
                body=f"message {n}",
                code=None,
                purpose="token",
                user_id=None,
            )
    data = page_data(client)
    assert data["messages_total"] == extra
    assert len(data["messages"]) == MAX_MESSAGES
    assert data["messages"][0]["body"] == f"message {extra - 1}"
    assert data["messages"][-1]["body"] == "message 5"


def test_data_never_reaches_the_html_as_markup(client: FlaskClient) -> None:
    client.patch("/_mock/apps/1", json={"name": HOSTILE})
    uid = register(client, email="<b>ana</b>@example.com")
    client.get(f"/protected/json/sms/{uid}?force=true", headers=AUTH)
    new_approval(
        client, uid, message=HOSTILE, details={HOSTILE: "</script><img src=x>"}
    )
    text = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in text
    assert "</script><img" not in text
    assert "<b>ana" not in text
    assert text.count("<script") == 2  # the state (JSON) and inbox.js
    state = embedded_state(text)  # the JSON reads back to the very strings
    assert state["apps"][0]["name"] == HOSTILE
    assert HOSTILE in state["messages"][0]["body"]
    assert state["users"][0]["email"] == "<b>ana</b>@example.com"
    (request,) = state["approval_requests"]
    assert request["message"] == HOSTILE
    assert request["details"] == {HOSTILE: "</script><img src=x>"}


# -- the event stream ------------------------------------------------------------------


def test_events_start_with_the_version_then_follow_changes(
    client: FlaskClient, backend: Backend
) -> None:
    resp = client.get("/_mock/events", buffered=False)
    try:
        assert resp.status_code == 200
        assert resp.mimetype == "text/event-stream"
        assert resp.headers["Cache-Control"] == "no-store"
        chunks = iter(resp.response)
        first = next(chunks)
        assert first == f"retry: 1000\n{change_event(backend.version)}".encode()
        assert first.endswith(
            b'event: change\ndata: {"version": %d}\n\n' % backend.version
        )
        register(client)  # a change of state: the next chunk names the new version
        assert next(chunks) == change_event(backend.version).encode()
    finally:
        resp.close()


def test_stream_pings_when_quiet_and_ends_when_told(backend: Backend) -> None:
    stop = threading.Event()
    gone = False
    stream = event_stream(
        backend,
        gone=lambda: gone,
        stop=stop,
        heartbeat=0.0,
        wait_slice=0.01,
        min_gap=0.0,
    )
    start = backend.version
    assert next(stream).endswith(change_event(start))
    assert next(stream) == ": ping\n\n"
    backend.touch()
    assert next(stream) == change_event(start + 1)
    gone = True
    assert list(stream) == []
    stopped = event_stream(backend, gone=lambda: False, stop=stop, wait_slice=0.01)
    next(stopped)
    stop.set()
    assert list(stopped) == []


def test_stop_streams_ends_open_streams(app: Flask, backend: Backend) -> None:
    with app.test_client() as client:
        resp = client.get("/_mock/events", buffered=False)
        try:
            chunks = iter(resp.response)
            next(chunks)
            stop_streams(app)
            assert list(chunks) == []
        finally:
            resp.close()


def test_client_gone_sees_a_closed_peer() -> None:
    assert client_gone(None) is False
    ours, theirs = socket.socketpair()
    with ours:
        with theirs:
            assert client_gone(ours) is False
        assert client_gone(ours) is True
    assert client_gone(ours) is True  # closed on our side too


# -- the control token -----------------------------------------------------------------


@pytest.fixture
def token_client(backend: Backend) -> Iterator[FlaskClient]:
    config = MockConfig(seed=7, api_key=API_KEY, control_token="s3cret")
    with create_app(config, backend=backend).test_client() as client:
        yield client


@pytest.mark.parametrize("path", ["/", "/_mock/page", "/_mock/events"])
def test_token_required(token_client: FlaskClient, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        resp = token_client.get(path, headers=headers)
        assert resp.status_code == 401
        assert resp.json == {
            "message": "Invalid control token",
            "success": False,
            "errors": {"message": "Invalid control token"},
            "error_code": "60001",
        }


def test_token_by_header_or_query(token_client: FlaskClient) -> None:
    bearer = {"Authorization": "Bearer s3cret"}
    assert token_client.get("/_mock/page", headers=bearer).status_code == 200
    for query in ("", "?control_token=s3cret"):
        headers = bearer if not query else {}
        page = token_client.get("/" + query, headers=headers)
        assert page.status_code == 200
        # The page's own calls repeat the token it was opened with.
        assert '<meta name="tfa-control-token" content="s3cret">' in page.get_data(
            as_text=True
        )
        events = token_client.get(
            "/_mock/events" + query, headers=headers, buffered=False
        )
        assert events.status_code == 200
        events.close()
    # Static files carry no data: no token needed.
    static = token_client.get("/_web/static/inbox.js")
    assert static.status_code == 200
    static.close()


def test_token_in_the_page_is_escaped(backend: Backend) -> None:
    config = MockConfig(seed=7, api_key=API_KEY, control_token='a"b<c>')
    with create_app(config, backend=backend).test_client() as client:
        query = "?control_token=" + "a%22b%3Cc%3E"
        text = client.get("/" + query).get_data(as_text=True)
    assert 'content="a&#34;b&lt;c&gt;"' in text


def test_no_token_meta_without_a_token(client: FlaskClient) -> None:
    assert "tfa-control-token" not in client.get("/").get_data(as_text=True)


def test_page_json_keeps_the_newest_users(client: FlaskClient) -> None:
    first = register(client, cellphone="201-555-0100")
    ids = [first] + [
        register(client, email=f"u{n}@example.com", cellphone=f"201-555-{n:04d}")
        for n in range(101, 101 + MAX_USERS)
    ]
    new_approval(client, first, message="of a user not shown")
    newest = new_approval(client, ids[-1], message="of a user shown")
    data = page_data(client)
    assert data["users_total"] == MAX_USERS + 1
    assert [u["id"] for u in data["users"]] == ids[1:]
    assert [a["uuid"] for a in data["approval_requests"]] == [newest]


def test_requests_of_removed_users_stay_listed(client: FlaskClient) -> None:
    uid = register(client)
    uuid = new_approval(client, uid)
    resp = client.post(f"/protected/json/users/{uid}/remove", headers=AUTH)
    assert resp.status_code == 200, resp.data
    data = page_data(client)
    assert data["users"] == []
    assert [(a["uuid"], a["_authy_id"]) for a in data["approval_requests"]] == [
        (uuid, uid)
    ]
