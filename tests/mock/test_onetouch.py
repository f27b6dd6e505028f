"""OneTouch approval requests through HTTP and the backend ops (API.md §3.18-3.19,
§4.1, §7.9).

Create and status in json and xml with exact bodies; every encoding of ``details``,
``hidden_details`` and ``logos`` clients use (JSON, form bracket keys in both list
shapes, XML); the normalisation rules; errors in the order 60026, 60017, 60004; the
lifecycle through ``backend.approve``/``deny`` with lazy expiry on the mock clock.
Seeded values (seed 7, user 1000 registered first) are pinned below.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.mock._bodies import error, expect, invalid
from tests.mock._users import AUTH, FORMATS, register
from tfa_core.approval import Status
from tfa_mock.api.onetouch import approval_document
from tfa_mock.backend import Backend
from tfa_mock.backend.records import ApprovalRecord
from tfa_mock.wire import errors

# Seed 7: the default app's object id; user 1000's object id; the first request.
APP_OBJECT_ID = "269e0d37f2a74de452e6b438"
USER_OBJECT_ID = "5d9dc9f81818e811892f902b"
UUID1 = "81e74ef5-e8e2-4d94-8ed9-04759531985d"
ID1 = "1600a35a099950d836f675cc"
CREATED = "2023-11-14T22:13:20Z"  # NOW

DETAILS_REASON = "Must be an object of at most 50 string values"
LOGOS_REASON = "Must be a list of {res, url} with res one of: default, low, med, high"
SECONDS_REASON = "Must be a non-negative integer"


def not_found(uuid: str) -> dict[str, Any]:
    message = f"Approval request not found: {uuid}"
    return {"message": message, "success": False, "errors": {}, "error_code": "60049"}


@pytest.fixture
def uid(client: FlaskClient) -> int:
    """User 1000 of the default app, without device."""
    return register(client)


def create(
    client: FlaskClient, user_id: object, fmt: str = "json", **kwargs: Any
) -> TestResponse:
    kwargs.setdefault("headers", AUTH)
    return client.post(f"/onetouch/{fmt}/users/{user_id}/approval_requests", **kwargs)


def create_uuid(client: FlaskClient, user_id: int, **body: Any) -> str:
    resp = create(client, user_id, json={"message": "Login requested", **body})
    assert resp.status_code == 200, resp.data
    uuid: str = resp.json["approval_request"]["uuid"]  # type: ignore[index]
    return uuid


def read(client: FlaskClient, uuid: str, fmt: str = "json") -> TestResponse:
    return client.get(f"/onetouch/{fmt}/approval_requests/{uuid}", headers=AUTH)


def document(client: FlaskClient, uuid: str) -> dict[str, Any]:
    resp = read(client, uuid)
    assert resp.status_code == 200, resp.data
    found: dict[str, Any] = resp.json["approval_request"]  # type: ignore[index]
    return found


def doc(**changes: Any) -> dict[str, Any]:
    """The seeded first request's document, with *changes*."""
    base: dict[str, Any] = {
        "_app_name": "Default App",
        "_app_serial_id": 1,
        "_authy_id": 1000,
        "_id": ID1,
        "_user_email": "ana@example.com",
        "app_id": APP_OBJECT_ID,
        "created_at": CREATED,
        "notified": False,
        "processed_at": None,
        "seconds_to_expire": 86400,
        "status": "pending",
        "updated_at": CREATED,
        "user_id": USER_OBJECT_ID,
        "uuid": UUID1,
        "details": None,
        "hidden_details": None,
        "logos": None,
        "message": "Login requested",
    }
    base.update(changes)
    return base


# -- create and status: exact bodies -----------------------------------------------


def test_create_and_read_the_spec_example(client: FlaskClient, uid: int) -> None:
    resp = create(
        client,
        uid,
        json={"message": "Login requested", "details": {"Account Number": "981266321"}},
    )
    assert resp.status_code == 200
    assert resp.data == (
        b'{"approval_request":{"uuid":"81e74ef5-e8e2-4d94-8ed9-04759531985d"},'
        b'"success":true}'
    )
    resp = read(client, UUID1)
    assert resp.data == (
        b'{"approval_request":{"_app_name":"Default App","_app_serial_id":1,'
        b'"_authy_id":1000,"_id":"1600a35a099950d836f675cc",'
        b'"_user_email":"ana@example.com","app_id":"269e0d37f2a74de452e6b438",'
        b'"created_at":"2023-11-14T22:13:20Z","notified":false,"processed_at":null,'
        b'"seconds_to_expire":86400,"status":"pending",'
        b'"updated_at":"2023-11-14T22:13:20Z","user_id":"5d9dc9f81818e811892f902b",'
        b'"uuid":"81e74ef5-e8e2-4d94-8ed9-04759531985d",'
        b'"details":{"Account Number":"981266321"},"hidden_details":null,'
        b'"logos":null,"message":"Login requested"},"success":true}'
    )


def test_xml_create_and_status(client: FlaskClient, uid: int) -> None:
    body = (
        "<hash><message> Login requested </message>"
        "<details><location>California, USA</location></details>"
        "<logos type='array'><logo><res>default</res>"
        "<url>https://example.com/l.png</url><size>9</size></logo></logos>"
        "<seconds-to-expire type='integer'>300</seconds-to-expire></hash>"
    )
    resp = create(
        client, uid, "xml", data=body, headers={**AUTH, "Content-Type": "text/xml"}
    )
    assert resp.status_code == 200
    assert resp.data.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<hash>\n"
        "  <approval-request>\n"
        f"    <uuid>{UUID1}</uuid>\n"
        "  </approval-request>\n"
        '  <success type="boolean">true</success>\n'
        "</hash>\n"
    )
    resp = read(client, UUID1, "xml")
    assert resp.status_code == 200
    assert resp.content_type == "application/xml; charset=utf-8"
    text = resp.data.decode()
    for line in (
        '    <_app-serial-id type="integer">1</_app-serial-id>',
        '    <notified type="boolean">false</notified>',
        '    <processed-at nil="true"/>',
        '    <seconds-to-expire type="integer">300</seconds-to-expire>',
        "    <details>\n      <location>California, USA</location>\n    </details>",
        '    <hidden-details nil="true"/>',
        '    <logos type="array">\n      <logo>\n        <res>default</res>\n'
        "        <url>https://example.com/l.png</url>\n      </logo>\n    </logos>",
        "    <message>Login requested</message>",
    ):
        assert line in text
    logos = [{"res": "default", "url": "https://example.com/l.png"}]
    expected = doc(
        details={"location": "California, USA"}, logos=logos, seconds_to_expire=300
    )
    expect(resp, "xml", 200, {"approval_request": expected, "success": True})


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_document(
    client: FlaskClient, backend: Backend, uid: int, fmt: str
) -> None:
    create_uuid(client, uid)
    expect(
        read(client, UUID1, fmt), fmt, 200, {"approval_request": doc(), "success": True}
    )


# -- encodings of details, hidden_details and logos ------------------------------

LOGOS = [
    {"res": "default", "url": "https://example.com/logo-default.png"},
    {"res": "low", "url": "https://example.com/logo-low.png"},
]


def form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "data": urlencode(pairs),
        "headers": {**AUTH, "Content-Type": "application/x-www-form-urlencoded"},
    }


ENCODINGS: dict[str, dict[str, Any]] = {
    "json": {
        "json": {
            "message": "Login requested",
            "details": {"Account Number": "981266321", "location": "California, USA"},
            "hidden_details": {"ip_address": "10.10.3.203"},
            "logos": LOGOS,
        }
    },
    "form-list": form(
        [
            ("message", "Login requested"),
            ("details[Account Number]", "981266321"),
            ("details[location]", "California, USA"),
            ("hidden_details[ip_address]", "10.10.3.203"),
            ("logos[][res]", "default"),
            ("logos[][url]", "https://example.com/logo-default.png"),
            ("logos[][res]", "low"),
            ("logos[][url]", "https://example.com/logo-low.png"),
        ]
    ),
    "form-indexed": form(
        [
            ("message", "Login requested"),
            ("details[Account Number]", "981266321"),
            ("details[location]", "California, USA"),
            ("hidden_details[ip_address]", "10.10.3.203"),
            ("logos[1][url]", "https://example.com/logo-low.png"),
            ("logos[0][res]", "default"),
            ("logos[0][url]", "https://example.com/logo-default.png"),
            ("logos[1][res]", "low"),
        ]
    ),
    "query-string": {
        "query_string": urlencode(
            [
                ("message", "Login requested"),
                ("details[Account Number]", "981266321"),
                ("details[location]", "California, USA"),
                ("hidden_details[ip_address]", "10.10.3.203"),
                ("logos[0][res]", "default"),
                ("logos[0][url]", "https://example.com/logo-default.png"),
                ("logos[0][extra]", "dropped"),
                ("logos[1][res]", "low"),
                ("logos[1][url]", "https://example.com/logo-low.png"),
            ]
        )
    },
    "json-indexed-logos": {
        "json": {
            "message": "Login requested",
            "details": {"Account Number": 981266321, "location": "California, USA"},
            "hidden_details": {"ip_address": "10.10.3.203"},
            "logos": {"0": {**LOGOS[0], "size": 9}, "1": LOGOS[1]},
        }
    },
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_encoding_gives_the_same_request(
    client: FlaskClient, uid: int, encoding: str
) -> None:
    resp = create(client, uid, **ENCODINGS[encoding])
    assert resp.status_code == 200, resp.data
    assert document(client, UUID1) == doc(
        details={"Account Number": "981266321", "location": "California, USA"},
        hidden_details={"ip_address": "10.10.3.203"},
        logos=LOGOS,
    )


NORMALISED: list[tuple[dict[str, Any], dict[str, Any]]] = [
    # Number, boolean and null detail values become text; strings are not trimmed.
    (
        {"details": {"n": 5, "f": 2.5, "t": True, "no": False, "z": None, "s": " a "}},
        {
            "details": {
                "n": "5",
                "f": "2.5",
                "t": "true",
                "no": "false",
                "z": "",
                "s": " a ",
            }
        },
    ),
    ({"hidden_details": {"ip": 10}}, {"hidden_details": {"ip": "10"}}),
    # Empty details, hidden_details and logos count as not given.
    ({"details": {}, "hidden_details": {}, "logos": []}, {}),
    ({"details": [], "hidden_details": "", "logos": {}}, {}),
    ({"details": None, "hidden_details": "  ", "logos": None}, {}),
    # Extra logo keys are dropped; res and url are trimmed.
    (
        {"logos": [{"url": " https://e.com/h.png ", "res": "high", "alt": "x"}]},
        {"logos": [{"res": "high", "url": "https://e.com/h.png"}]},
    ),
    # The message is trimmed; a JSON number is its text.
    ({"message": "  Hi there  "}, {"message": "Hi there"}),
    ({"message": 42}, {"message": "42"}),
    ({"message": "x" * 200}, {"message": "x" * 200}),
    (
        {"details": {f"k{i}": "v" for i in range(50)}},
        {"details": {f"k{i}": "v" for i in range(50)}},
    ),
    # seconds_to_expire: default, 0 = never, null or "" = default.
    ({"seconds_to_expire": 0}, {"seconds_to_expire": 0}),
    ({"seconds_to_expire": "300"}, {"seconds_to_expire": 300}),
    ({"seconds_to_expire": None}, {}),
    ({"seconds_to_expire": ""}, {}),
    ({"seconds_to_expire": 86400.0}, {}),
]


@pytest.mark.parametrize(("body", "changes"), NORMALISED)
def test_normalisation(
    client: FlaskClient, uid: int, body: dict[str, Any], changes: dict[str, Any]
) -> None:
    resp = create(client, uid, json={"message": "Login requested", **body})
    assert resp.status_code == 200, resp.data
    assert document(client, UUID1) == doc(**changes)


INVALID: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"message": None}, invalid("message", "Parameter is required")),
    ({"message": "   "}, invalid("message", "Parameter is required")),
    ({"message": "x" * 201}, invalid("message", "Must be at most 200 characters")),
    ({"details": {"a": {"b": "c"}}}, invalid("details", DETAILS_REASON)),
    ({"details": {"a": ["b"]}}, invalid("details", DETAILS_REASON)),
    ({"details": {"a": []}}, invalid("details", DETAILS_REASON)),
    ({"details": "Location: California"}, invalid("details", DETAILS_REASON)),
    ({"details": ["a"]}, invalid("details", DETAILS_REASON)),
    ({"details": 5}, invalid("details", DETAILS_REASON)),
    (
        {"details": {f"k{i}": "v" for i in range(51)}},
        invalid("details", DETAILS_REASON),
    ),
    ({"hidden_details": {"a": {"b": "c"}}}, invalid("hidden_details", DETAILS_REASON)),
    ({"hidden_details": "secret"}, invalid("hidden_details", DETAILS_REASON)),
    ({"logos": "https://e.com/l.png"}, invalid("logos", LOGOS_REASON)),
    ({"logos": [{"res": "huge", "url": "u"}]}, invalid("logos", LOGOS_REASON)),
    ({"logos": [{"res": "low"}]}, invalid("logos", LOGOS_REASON)),
    ({"logos": [{"res": "low", "url": " "}]}, invalid("logos", LOGOS_REASON)),
    ({"logos": ["low"]}, invalid("logos", LOGOS_REASON)),
    ({"logos": {"a": {"res": "low", "url": "u"}}}, invalid("logos", LOGOS_REASON)),
    ({"seconds_to_expire": -5}, invalid("seconds_to_expire", SECONDS_REASON)),
    ({"seconds_to_expire": "-5"}, invalid("seconds_to_expire", SECONDS_REASON)),
    ({"seconds_to_expire": "soon"}, invalid("seconds_to_expire", SECONDS_REASON)),
    ({"seconds_to_expire": 1.5}, invalid("seconds_to_expire", SECONDS_REASON)),
    ({"seconds_to_expire": True}, invalid("seconds_to_expire", SECONDS_REASON)),
    # The table's order: message before details before logos.
    (
        {"message": "", "details": "x", "logos": "y"},
        invalid("message", "Parameter is required"),
    ),
    ({"details": "x", "logos": "y"}, invalid("details", DETAILS_REASON)),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("body", "expected"), INVALID)
def test_invalid_parameters(
    client: FlaskClient,
    backend: Backend,
    uid: int,
    fmt: str,
    body: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    drawn = backend.rng.getstate()
    resp = create(client, uid, fmt, json={"message": "Login requested", **body})
    expect(resp, fmt, 400, expected)
    assert backend.approvals == {}
    assert backend.rng.getstate() == drawn  # nothing drawn for a refused request


def test_missing_message(client: FlaskClient, uid: int) -> None:
    resp = create(client, uid, data="")
    expect(resp, "json", 400, invalid("message", "Parameter is required"))


# -- error order: 60026, 60017, 60004 ----------------------------------------------

USER_NOT_FOUND = error("60026", "User not found.")
SUSPENDED = error("60017", "User has been suspended.")


@pytest.mark.parametrize("fmt", FORMATS)
def test_error_order(client: FlaskClient, backend: Backend, uid: int, fmt: str) -> None:
    bad = {"json": {"message": "", "details": {"a": {"b": 1}}}}
    expect(create(client, 1001, fmt, **bad), fmt, 404, USER_NOT_FOUND)
    expect(create(client, "tony", fmt, **bad), fmt, 404, USER_NOT_FOUND)
    resp = client.post(
        f"/protected/json/users/{uid}/register_activity",
        json={"type": "banned"},
        headers=AUTH,
    )
    assert resp.status_code == 200
    expect(create(client, uid, fmt, **bad), fmt, 503, SUSPENDED)
    expect(
        create(client, uid, fmt, json={"message": "Login requested"}),
        fmt,
        503,
        SUSPENDED,
    )
    client.post(
        f"/protected/json/users/{uid}/register_activity",
        json={"type": "unbanned"},
        headers=AUTH,
    )
    expect(
        create(client, uid, fmt, **bad),
        fmt,
        400,
        invalid("message", "Parameter is required"),
    )
    assert backend.approvals == {}


def test_another_apps_user_and_request(
    client: FlaskClient, backend: Backend, uid: int
) -> None:
    uuid = create_uuid(client, uid)
    with backend.lock:
        backend._add_app(name="Shop", api_key="shop_key")
    shop = {"X-TFA-API-Key": "shop_key"}
    resp = client.post(
        f"/onetouch/json/users/{uid}/approval_requests",
        json={"message": "Login requested"},
        headers=shop,
    )
    expect(resp, "json", 404, USER_NOT_FOUND)
    resp = client.get(f"/onetouch/json/approval_requests/{uuid}", headers=shop)
    expect(resp, "json", 404, not_found(uuid))


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_uuid(client: FlaskClient, fmt: str) -> None:
    uuid = "3f05a350-4b2c-0136-f779-12c0c2bf9eaa"
    resp = read(client, uuid, fmt)
    if fmt == "json":
        assert resp.data == (
            b'{"message":"Approval request not found: '
            b'3f05a350-4b2c-0136-f779-12c0c2bf9eaa","success":false,"errors":{},'
            b'"error_code":"60049"}'
        )
    else:
        assert resp.data.decode() == (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            "<errors>\n"
            f"  <message>Approval request not found: {uuid}</message>\n"
            '  <success type="boolean">false</success>\n'
            "  <errors/>\n"
            "  <error-code>60049</error-code>\n"
            "</errors>\n"
        )
    expect(resp, fmt, 404, not_found(uuid))


# -- device, user facts at creation --------------------------------------------------


def test_device_at_creation(client: FlaskClient, backend: Backend, uid: int) -> None:
    installed = backend.install_device(uid, "iphone").device
    assert installed is not None
    uuid = create_uuid(client, uid)
    assert document(client, uuid)["notified"] is True
    [record] = backend.list_approvals()
    assert record.device == installed
    backend.remove_device(uid)
    client.post(
        f"/protected/json/users/{uid}/update",
        json={"email": "new@example.com"},
        headers=AUTH,
    )
    [record] = backend.list_approvals()
    assert record.device == installed  # a copy taken at creation
    found = document(client, uuid)
    assert (found["notified"], found["_user_email"]) == (True, "ana@example.com")


def test_requests_of_a_deleted_user_stay_readable(
    client: FlaskClient, uid: int
) -> None:
    create_uuid(client, uid)
    assert (
        client.post(f"/protected/json/users/{uid}/delete", headers=AUTH).status_code
        == 200
    )
    assert document(client, UUID1) == doc()
    resp = create(client, uid, json={"message": "Login requested"})
    expect(resp, "json", 404, USER_NOT_FOUND)


# -- lifecycle (§4.1) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("decide", "status"), [("approve", "approved"), ("deny", "denied")]
)
def test_decision(
    client: FlaskClient, backend: Backend, uid: int, decide: str, status: str
) -> None:
    create_uuid(client, uid)
    backend.clock.advance(30.75)
    record = getattr(backend, decide)(UUID1)
    assert record.request.status.value == status
    decided = "2023-11-14T22:13:50Z"
    expected = doc(status=status, processed_at=decided, updated_at=decided)
    assert approval_document(record, backend.now()) == expected
    backend.clock.advance(86400 * 2)  # decided requests never expire
    for fmt in FORMATS:
        expect(
            read(client, UUID1, fmt),
            fmt,
            200,
            {"approval_request": expected, "success": True},
        )
    for again in ("approve", "deny"):
        with pytest.raises(errors.NotPending) as caught:
            getattr(backend, again)(UUID1)
        assert caught.value.status == 409 and caught.value.error_code == "60079"
    assert document(client, UUID1) == expected


def test_decision_calls_the_hook_once(
    client: FlaskClient, backend: Backend, uid: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[ApprovalRecord] = []
    monkeypatch.setattr(backend, "_on_decision", seen.append)
    create_uuid(client, uid)
    backend.approve(UUID1)
    with pytest.raises(errors.NotPending):
        backend.deny(UUID1)
    assert [r.request.status for r in seen] == [Status.APPROVED]


def test_unknown_uuid_cannot_be_decided(backend: Backend) -> None:
    for decide in (backend.approve, backend.deny):
        with pytest.raises(errors.ApprovalNotFound) as caught:
            decide("nope")
        assert caught.value.body() == not_found("nope")


def test_lazy_expiry(client: FlaskClient, backend: Backend, uid: int) -> None:
    create_uuid(client, uid, seconds_to_expire=300)
    backend.clock.advance(299.999)
    assert document(client, UUID1)["status"] == "pending"
    assert backend.approvals[UUID1].expiry_noticed is False
    backend.clock.advance(0.001)
    expired = "2023-11-14T22:18:20Z"  # created + 300, whatever the read time
    backend.clock.advance(1000)
    expected = doc(
        status="expired",
        processed_at=expired,
        updated_at=expired,
        seconds_to_expire=300,
    )
    assert backend.approvals[UUID1].expiry_noticed is False  # nobody looked yet
    for fmt in FORMATS:
        expect(
            read(client, UUID1, fmt),
            fmt,
            200,
            {"approval_request": expected, "success": True},
        )
    assert backend.approvals[UUID1].expiry_noticed is True
    for decide in (backend.approve, backend.deny):
        with pytest.raises(errors.NotPending):
            decide(UUID1)
    assert backend.approvals[UUID1].request.status is Status.PENDING  # stored value


def test_zero_never_expires(client: FlaskClient, backend: Backend, uid: int) -> None:
    create_uuid(client, uid, seconds_to_expire=0)
    backend.clock.advance(10 * 365 * 86400)
    assert document(client, UUID1) == doc(seconds_to_expire=0)
    assert backend.approve(UUID1).request.status is Status.APPROVED


def test_default_expiry(client: FlaskClient, backend: Backend, uid: int) -> None:
    create_uuid(client, uid)
    backend.clock.advance(86399)
    assert document(client, UUID1)["status"] == "pending"
    backend.clock.advance(1)
    assert document(client, UUID1)["status"] == "expired"


def test_list_approvals(client: FlaskClient, backend: Backend, uid: int) -> None:
    first = create_uuid(client, uid, seconds_to_expire=60)
    second_user = client.post(
        "/protected/json/users/new",
        json={
            "user": {
                "email": "bo@example.com",
                "cellphone": "775-461-5609",
                "country_code": 1,
            }
        },
        headers=AUTH,
    ).json["user"]["id"]  # type: ignore[index]
    second = create_uuid(client, second_user)
    third = create_uuid(client, uid)
    backend.approve(third)
    backend.clock.advance(60)

    def uuids(**where: Any) -> list[str]:
        return [r.request.uuid for r in backend.list_approvals(**where)]

    assert uuids() == [first, second, third]
    assert uuids(user_id=uid) == [first, third]
    assert uuids(app_id=1, status="pending") == [second]
    assert uuids(status=Status.EXPIRED) == [first]
    assert uuids(status="approved", user_id=uid) == [third]
    assert uuids(app_id=2) == []
    assert backend.approvals[first].expiry_noticed is True
    # Copies: changing one changes nothing stored.
    copy = backend.list_approvals()[0]
    copy.notified = True
    assert backend.approvals[first].notified is False
