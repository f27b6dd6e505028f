"""Users through HTTP: register, remove, status, update, activities, registration
status (API.md §3.1-3.5, §3.7), in JSON and XML, with the state they leave."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.mock._bodies import error, invalid
from tests.mock._users import (
    AUTH,
    FORMATS,
    assert_body,
    body_of,
    compact,
    get,
    install_device,
    post,
    register,
)
from tests.mock.conftest import API_KEY, NOW
from tfa_mock.backend import Backend

INSTALL_TEXT = (
    "Download the tfa app to get your Default App verification codes: "
    "https://tfa.com/download"
)
USER_NOT_FOUND = error("60026", "User not found.")


def not_valid(fields: dict[str, str]) -> dict[str, Any]:
    return {
        "message": "User was not valid",
        **fields,
        "success": False,
        "errors": {**fields, "message": "User was not valid"},
        "error_code": "60027",
    }


def new_user(**user: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"email": "ana@example.com", "cellphone": "201-555-0123"}
    fields.update(country_code=1, **user)
    return {"user": fields}


# --- users/new ---------------------------------------------------------------------


def test_register_json_is_byte_exact(client: FlaskClient, backend: Backend) -> None:
    resp = post(client, "json", "/users/new", json=new_user())
    assert resp.status_code == 200
    assert resp.data == (
        b'{"message":"User created successfully.","user":{"id":1000},"success":true}'
    )
    user = backend.users[1000]
    assert (user.email, user.phone, user.country_code) == (
        "ana@example.com",
        "+12015550123",
        1,
    )
    assert (user.confirmed, user.suspended, user.device) == (False, False, None)
    assert len(user.key) == 20
    assert user.created_at == NOW


def test_register_xml_is_exact_text(client: FlaskClient) -> None:
    xml = (
        b"<user><cellphone>201-555-0123</cellphone><country_code>1</country_code>"
        b"<email>ana@example.com</email></user>"
    )
    resp = post(
        client,
        "xml",
        "/users/new",
        data=xml,
        headers={**AUTH, "Content-Type": "application/xml"},
    )
    assert resp.status_code == 200
    assert resp.data == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b"<hash>\n"
        b"  <message>User created successfully.</message>\n"
        b"  <user>\n"
        b'    <id type="integer">1000</id>\n'
        b"  </user>\n"
        b'  <success type="boolean">true</success>\n'
        b"</hash>\n"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_register_sends_the_install_link(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    resp = post(client, fmt, "/users/new", json=new_user())
    assert_body(
        resp,
        fmt,
        200,
        {
            "message": "User created successfully.",
            "user": {"id": 1000},
            "success": True,
        },
    )
    [message] = backend.messages
    assert (message.channel, message.to, message.body) == (
        "sms",
        "+12015550123",
        INSTALL_TEXT,
    )
    assert (message.code, message.purpose, message.user_id, message.app_id) == (
        None,
        "install_link",
        1000,
        1,
    )


def test_register_by_form_with_bracket_keys(
    client: FlaskClient, backend: Backend
) -> None:
    resp = post(
        client,
        "json",
        "/users/new",
        data=(
            "user[email]=bo%40example.com&user[cellphone]=%28201%29+555.0199"
            "&user[country_code]=%2B1&send_install_link_via_sms=false"
        ),
        headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 200, resp.data
    assert backend.users[1000].phone == "+12015550199"
    assert backend.users[1000].email == "bo@example.com"
    assert backend.messages == []


def test_register_with_parameters_in_the_query_of_a_post(
    client: FlaskClient, backend: Backend
) -> None:
    resp = client.post(
        "/protected/json/users/new?user[email]=ana@example.com"
        "&user[cellphone]=2015550123&user[country_code]=1"
        f"&api_key={API_KEY}&user[send_install_link_via_sms]=0"
    )
    assert resp.status_code == 200, resp.data
    assert backend.users[1000].phone == "+12015550123"
    assert backend.messages == []


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Authy-API-Key": API_KEY},
        {"x-tfa-api-key": API_KEY},
        {"x-authy-api-key": API_KEY},
        # A header wins over a parameter even when they differ (API.md §1.2).
        {"X-tfa-API-Key": API_KEY, "X-Authy-API-Key": "wrong"},
    ],
)
def test_key_headers(client: FlaskClient, headers: dict[str, str]) -> None:
    resp = client.post(
        "/protected/json/users/new",
        json={**new_user(), "api_key": "wrong"},
        headers=headers,
    )
    assert resp.status_code == 200, resp.data


def test_key_as_json_parameter(client: FlaskClient) -> None:
    resp = client.post(
        "/protected/json/users/new", json={**new_user(), "api_key": API_KEY}
    )
    assert resp.status_code == 200, resp.data


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_key_is_401(client: FlaskClient, fmt: str) -> None:
    resp = post(
        client, fmt, "/users/new", json=new_user(), headers={"X-TFA-API-Key": "x"}
    )
    assert_body(
        resp,
        fmt,
        401,
        {
            "message": "Invalid API key",
            "success": False,
            "errors": {"message": "Invalid API key"},
            "error_code": "60001",
        },
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_reregistering_a_phone_keeps_the_id_and_replaces_the_email(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    uid = register(client)
    key = backend.users[uid].key
    resp = post(
        client,
        fmt,
        "/users/new",
        json=new_user(email="new@example.com", cellphone="(201) 555 0123"),
    )
    assert body_of(resp, fmt)["user"] == {"id": uid}
    assert backend.users[uid].email == "new@example.com"
    assert backend.users[uid].key == key
    assert len(backend.users) == 1
    # The install link goes out again on re-registration (API.md §3.1).
    assert [m.purpose for m in backend.messages] == ["install_link"]
    assert register(client, cellphone="201-555-0124") == uid + 1


def test_the_same_phone_in_another_app_is_another_user(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    with backend.lock:
        backend._add_app(name="Other", api_key="other_key_0123456789abcdefghijkl")
    resp = client.post(
        "/protected/json/users/new",
        json=new_user(),
        headers={"X-TFA-API-Key": "other_key_0123456789abcdefghijkl"},
    )
    assert resp.json == {
        "message": "User created successfully.",
        "user": {"id": uid + 1},
        "success": True,
    }
    assert backend.users[uid + 1].app_id == 2


def test_no_install_link_when_sms_is_disabled(
    client: FlaskClient, backend: Backend
) -> None:
    with backend.lock:
        backend.apps[1].sms_enabled = False
    resp = post(client, "json", "/users/new", json=new_user())
    assert resp.status_code == 200
    assert backend.messages == []


@pytest.mark.parametrize(
    "params",
    [
        {"send_install_link_via_sms": False},
        {"send_install_link_via_sms": "FALSE"},
        {"user": {"send_install_link_via_sms": "0"}},
    ],
)
def test_install_link_can_be_switched_off(
    client: FlaskClient, backend: Backend, params: dict[str, Any]
) -> None:
    body = new_user()
    body["user"].update(params.pop("user", {}))
    body.update(params)
    assert post(client, "json", "/users/new", json=body).status_code == 200
    assert backend.messages == []


def test_ids_count_up_and_users_are_counted(
    client: FlaskClient, backend: Backend
) -> None:
    assert register(client) == 1000
    assert register(client, cellphone="201-555-0124") == 1001
    assert register(client, cellphone="912 345 678", country_code=351) == 1002
    assert backend.stats[(1, 2023, 11)]["users_count"] == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_register_spec_example_of_invalid_fields(client: FlaskClient, fmt: str) -> None:
    resp = post(client, fmt, "/users/new", json=new_user(email="ana", cellphone="123"))
    assert_body(
        resp, fmt, 400, not_valid({"email": "is invalid", "cellphone": "is invalid"})
    )
    if fmt == "json":
        assert resp.data == (
            b'{"message":"User was not valid","email":"is invalid","cellphone":'
            b'"is invalid","success":false,"errors":{"email":"is invalid",'
            b'"cellphone":"is invalid","message":"User was not valid"},'
            b'"error_code":"60027"}'
        )


BLANK = "is invalid and can't be blank"
INVALID_USERS = [
    ({}, {"email": BLANK, "cellphone": BLANK, "country_code": BLANK}),
    (
        {"email": "  ", "cellphone": "", "country_code": None},
        {"email": BLANK, "cellphone": BLANK, "country_code": BLANK},
    ),
    (
        {"email": "a b@example.com", "cellphone": "201-555-0123", "country_code": 1},
        {"email": "is invalid"},
    ),
    (
        {"email": "ana@example", "cellphone": "201-555-0123", "country_code": 1},
        {"email": "is invalid"},
    ),
    # A bad country code marks only country_code.
    (
        {"email": "ana@example.com", "cellphone": "201-555-0123", "country_code": 999},
        {"country_code": "is invalid"},
    ),
    (
        {"email": "ana@example.com", "cellphone": "201-555-0123", "country_code": "x1"},
        {"country_code": "is invalid"},
    ),
    (
        {"email": "ana@example.com", "cellphone": "201-555-0123", "country_code": 351},
        {"cellphone": "is invalid"},
    ),
    (
        {"email": "ana@example.com", "cellphone": "+1 201-555-0123", "country_code": 1},
        {"cellphone": "is invalid"},
    ),
    (
        {"email": "ana@example.com", "cellphone": "201-555-012a", "country_code": 1},
        {"cellphone": "is invalid"},
    ),
    # ... unless the cellphone is not digits and separators at all.
    (
        {"email": "ana@example.com", "cellphone": "call me", "country_code": 999},
        {"cellphone": "is invalid", "country_code": "is invalid"},
    ),
    (
        {"email": "ana@example.com", "cellphone": "201-555-0123", "country_code": ""},
        {"country_code": BLANK},
    ),
    (
        {"email": ["x"], "cellphone": {"a": "1"}, "country_code": True},
        {
            "email": "is invalid",
            "cellphone": "is invalid",
            "country_code": "is invalid",
        },
    ),
]


@pytest.mark.parametrize(("user", "fields"), INVALID_USERS)
def test_register_field_errors_in_order(
    client: FlaskClient, backend: Backend, user: dict[str, Any], fields: dict[str, str]
) -> None:
    resp = post(client, "json", "/users/new", json={"user": user})
    assert resp.status_code == 400
    assert resp.data == compact(not_valid(fields))
    assert backend.users == {}
    assert backend.messages == []


def test_register_without_a_user_object(client: FlaskClient) -> None:
    resp = post(client, "json", "/users/new", json={"user": "ana"})
    assert resp.data == compact(
        not_valid({"email": BLANK, "cellphone": BLANK, "country_code": BLANK})
    )


def test_register_accepts_json_numbers_and_plus(
    client: FlaskClient, backend: Backend
) -> None:
    resp = post(
        client,
        "json",
        "/users/new",
        json={
            "user": {
                "email": " ana@example.com ",
                "cellphone": 2015550123,
                "country_code": "+1",
            }
        },
    )
    assert resp.status_code == 200, resp.data
    assert backend.users[1000].email == "ana@example.com"
    assert backend.users[1000].phone == "+12015550123"


def test_bad_boolean_is_60004(client: FlaskClient) -> None:
    resp = post(
        client,
        "json",
        "/users/new",
        json={**new_user(), "send_install_link_via_sms": "x"},
    )
    assert resp.data == compact(
        invalid("send_install_link_via_sms", "Must be a boolean")
    )


# --- remove ------------------------------------------------------------------------

REMOVE_PATHS = ["/users/{id}/delete", "/users/{id}/remove", "/users/delete/{id}"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", REMOVE_PATHS)
def test_remove(client: FlaskClient, backend: Backend, fmt: str, path: str) -> None:
    uid = register(client)
    resp = post(client, fmt, path.format(id=uid))
    assert_body(
        resp, fmt, 200, {"message": "User removed from application", "success": True}
    )
    assert uid not in backend.users
    # Every later call answers its not-found error (verify: 60016).
    assert_body(post(client, fmt, path.format(id=uid)), fmt, 404, USER_NOT_FOUND)
    assert get(client, fmt, f"/users/{uid}/status").status_code == 404
    assert body_of(get(client, fmt, f"/verify/1234567/{uid}"), fmt)["error_code"] == (
        "60016"
    )
    # The phone is free again: re-registering gives a new id.
    assert register(client) == uid + 1


def test_remove_accepts_an_empty_json_body(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    resp = post(
        client,
        "json",
        f"/users/{uid}/delete",
        data="{}",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert resp.status_code == 200
    assert backend.users == {}


def test_remove_discards_codes(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    assert get(client, "json", f"/sms/{uid}").status_code == 200
    assert backend.codes[uid]
    post(client, "json", f"/users/{uid}/remove")
    assert uid not in backend.codes


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("uid", ["tony", "99999", "-1", "1000.0"])
def test_remove_unknown_ids(client: FlaskClient, fmt: str, uid: str) -> None:
    register(client, cellphone="201-555-0199")
    assert_body(post(client, fmt, f"/users/{uid}/delete"), fmt, 404, USER_NOT_FOUND)


def test_another_apps_user_is_not_found(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    with backend.lock:
        backend._add_app(name="Other", api_key="other_key_0123456789abcdefghijkl")
    other = {"X-TFA-API-Key": "other_key_0123456789abcdefghijkl"}
    for resp in (
        post(client, "json", f"/users/{uid}/delete", headers=other),
        get(client, "json", f"/users/{uid}/status", headers=other),
        post(
            client,
            "json",
            f"/users/{uid}/update",
            json={"email": "x@y.zz"},
            headers=other,
        ),
    ):
        assert resp.status_code == 404
        assert resp.data == compact(USER_NOT_FOUND)
    assert uid in backend.users


# --- status ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_without_device(client: FlaskClient, fmt: str) -> None:
    uid = register(client)
    assert_body(
        get(client, fmt, f"/users/{uid}/status"),
        fmt,
        200,
        {
            "status": {
                "authy_id": 1000,
                "confirmed": False,
                "registered": False,
                "country_code": 1,
                "phone_number": "XXX-XXX-0123",
                "email": "ana@example.com",
                "devices": [],
                "has_hard_token": False,
                "account_disabled": False,
                "detailed_devices": [],
                "deleted_devices": [],
            },
            "message": "User status.",
            "success": True,
        },
    )


def test_status_is_the_spec_example(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    install_device(backend, uid, at=NOW + 50)
    with backend.lock:
        backend.users[uid].confirmed = True
    resp = get(client, "json", f"/users/{uid}/status")
    assert resp.status_code == 200
    assert resp.data == (
        b'{"status":{"authy_id":1000,"confirmed":true,"registered":true,'
        b'"country_code":1,"phone_number":"XXX-XXX-0123","email":"ana@example.com",'
        b'"devices":["android"],"has_hard_token":false,"account_disabled":false,'
        b'"detailed_devices":[{"device_type":"authy","os_type":"android",'
        b'"registration_device_id":null,"registration_method":null,'
        b'"device_id":100000,"last_sync_date":1700000050,'
        b'"creation_date":1700000050}],"deleted_devices":[]},'
        b'"message":"User status.","success":true}'
    )


def test_status_xml_with_device(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    install_device(backend, uid, kind="iphone", at=NOW + 50)
    resp = get(client, "xml", f"/users/{uid}/status")
    assert resp.status_code == 200
    text = resp.data.decode()
    assert (
        '    <devices type="array">\n      <device>iphone</device>\n    </devices>\n'
    ) in text
    assert '<detailed-devices type="array">\n      <detailed-device>\n' in text
    assert '<deleted-devices type="array"/>' in text
    assert '<registration-device-id nil="true"/>' in text
    assert body_of(resp, "xml")["status"]["detailed_devices"][0]["device_id"] == 100000


def test_status_masks_the_last_four_national_digits(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client, cellphone="912 345 678", country_code=351)
    status = get(client, "json", f"/users/{uid}/status").json["status"]  # type: ignore[index]
    assert (status["phone_number"], status["country_code"]) == ("XXX-XXX-5678", 351)


def test_status_of_a_suspended_user_answers_normally(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    with backend.lock:
        backend.users[uid].suspended = True
    resp = get(client, "json", f"/users/{uid}/status", json={"user_ip": "1.2.3.4"})
    assert resp.status_code == 200
    assert resp.json["status"]["account_disabled"] is False  # type: ignore[index]


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_unknown(client: FlaskClient, fmt: str) -> None:
    assert_body(get(client, fmt, "/users/tony/status"), fmt, 404, USER_NOT_FOUND)


# --- update ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "body", [{"email": "bo@example.com"}, {"user": {"email": "bo@example.com"}}]
)
def test_update(
    client: FlaskClient, backend: Backend, fmt: str, body: dict[str, Any]
) -> None:
    uid = register(client)
    assert_body(
        post(client, fmt, f"/users/{uid}/update", json=body),
        fmt,
        200,
        {"message": "User was updated successfully", "success": True},
    )
    assert backend.users[uid].email == "bo@example.com"


def test_update_by_form(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    resp = post(
        client, "json", f"/users/{uid}/update", data={"user[email]": "cy@example.com"}
    )
    assert resp.status_code == 200
    assert backend.users[uid].email == "cy@example.com"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("body", "problem"),
    [({}, BLANK), ({"email": " "}, BLANK), ({"email": "nope"}, "is invalid")],
)
def test_update_invalid(
    client: FlaskClient, backend: Backend, fmt: str, body: dict[str, Any], problem: str
) -> None:
    uid = register(client)
    resp = post(client, fmt, f"/users/{uid}/update", json=body)
    assert_body(resp, fmt, 400, not_valid({"email": problem}))
    assert backend.users[uid].email == "ana@example.com"


def test_update_unknown_user_before_invalid_email(client: FlaskClient) -> None:
    resp = post(client, "json", "/users/1000/update", json={"email": "nope"})
    assert resp.data == compact(USER_NOT_FOUND)


# --- register_activity -------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["password_reset", "cookie_login", " banned "])
def test_activity(client: FlaskClient, backend: Backend, fmt: str, kind: str) -> None:
    uid = register(client)
    resp = post(
        client,
        fmt,
        f"/users/{uid}/register_activity",
        data={"type": kind, "ip": "10.0.0.1", "data[reset_by]": "ana"},
    )
    assert_body(resp, fmt, 200, {"message": "Activity was created.", "success": True})
    [activity] = backend.users[uid].activities
    assert activity == {
        "type": kind.strip(),
        "ip": "10.0.0.1",
        "data": {"reset_by": "ana"},
        "time": NOW,
    }


def test_banned_suspends_until_unbanned(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    suspended = {
        "message": "User has been suspended.",
        "success": False,
        "errors": {"message": "User has been suspended."},
        "error_code": "60017",
    }
    post(client, "json", f"/users/{uid}/register_activity", json={"type": "banned"})
    assert backend.users[uid].suspended
    for resp in (
        get(client, "json", f"/sms/{uid}"),
        get(client, "json", f"/call/{uid}"),
        post(client, "json", f"/email/{uid}"),
        get(client, "json", f"/verify/1234567/{uid}"),
    ):
        assert resp.status_code == 503
        assert resp.data == compact(suspended)
    assert get(client, "json", f"/users/{uid}/status").status_code == 200
    post(client, "json", f"/users/{uid}/register_activity", json={"type": "unbanned"})
    assert not backend.users[uid].suspended
    assert get(client, "json", f"/sms/{uid}").status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, "Parameter is required"),
        ({"type": " "}, "Parameter is required"),
        (
            {"type": "login"},
            "Must be one of: password_reset, banned, unbanned, cookie_login",
        ),
        (
            {"type": ["banned"]},
            "Must be one of: password_reset, banned, unbanned, cookie_login",
        ),
    ],
)
def test_activity_type_errors(
    client: FlaskClient, fmt: str, body: dict[str, Any], reason: str
) -> None:
    uid = register(client)
    resp = post(client, fmt, f"/users/{uid}/register_activity", json=body)
    assert_body(resp, fmt, 400, invalid("type", reason))


def test_activity_unknown_user_before_bad_type(client: FlaskClient) -> None:
    resp = post(client, "json", "/users/tony/register_activity", json={})
    assert resp.data == compact(USER_NOT_FOUND)


# --- registrations/status ----------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_registration_status_is_pending(client: FlaskClient, fmt: str) -> None:
    resp = get(client, fmt, "/registrations/status?custom_user_id=u-1")
    assert_body(
        resp,
        fmt,
        200,
        {"registration": {"authy_id": None, "status": "pending"}, "success": True},
    )
    if fmt == "json":
        assert resp.data == (
            b'{"registration":{"authy_id":null,"status":"pending"},"success":true}'
        )


@pytest.mark.parametrize("fmt", FORMATS)
def test_registration_status_needs_custom_user_id(
    client: FlaskClient, fmt: str
) -> None:
    resp = get(client, fmt, "/registrations/status")
    assert_body(resp, fmt, 400, invalid("custom_user_id", "Parameter is required"))


def test_routes_answer_only_their_method(client: FlaskClient) -> None:
    uid = register(client)
    for resp in (
        get(client, "json", "/users/new"),
        post(client, "json", f"/users/{uid}/status"),
        get(client, "json", f"/users/{uid}/delete"),
        post(client, "json", "/registrations/status"),
    ):
        assert resp.status_code == 404
        assert resp.json["error_code"] == "60000"  # type: ignore[index]
