"""The product page's examples (shared/PRODUCT_PAGE.txt) against the mock, as written,
with ``http://api.tfa.com`` swapped for the mock (Flask test client).

Each request is rebuilt byte for byte the way its tool sends it: curl ``-d`` joins
its fields with ``&`` and does not encode them (``-d message="$OT_MESSAGE"`` keeps
the spaces); .NET's ``FormUrlEncodedContent`` encodes (``details%5BLocation%5D``,
``+`` for spaces); the Node client posts ``message``, ``details[...]``,
``hidden_details[...]`` and ``seconds_to_expire`` (its ``ttl``) as the Authy node
client did, as a form or as JSON.

Two examples cannot succeed as written, and the mock answers what the service
would:

* ``curl -d details="$OT_DETAILS"`` sends ``details`` as a plain string ("a string
  of details"). A string is not an object: a non-blank one is refused with 60004
  ``Invalid parameter: details - Must be an object of at most 50 string values``; a
  blank one counts as not given. Sending ``-d "details[Location]=..."`` works.
* The phone-verification check's number ``555-867-5309`` is no valid US number for
  ``phonenumbers`` (555 is not an assigned area code): 400/60033. The same request
  for a valid number that was started checks fine.
* The verify URLs name user ``5661166``, which does not exist here: 404/60016.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.mock._bodies import compact, error
from tests.mock._users import register
from tests.mock.conftest import API_KEY
from tfa_mock.backend import Backend

FORMATS = ("json", "xml")
FORM = "application/x-www-form-urlencoded"
DETAILS = {"Location": "California, USA", "Room": "VR Room 1"}
MESSAGE = "Requesting War Room Access"


def from_xml(resp: TestResponse) -> str:
    assert resp.content_type == "application/xml; charset=utf-8"
    text: str = resp.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return text


@pytest.fixture
def uid(client: FlaskClient, backend: Backend) -> int:
    """$TFA_ID: a registered user with the authenticator app installed."""
    uid = register(client)
    backend.install_device(uid, "android")
    return uid


def created_uuid(resp: TestResponse, fmt: str) -> str:
    """The uuid of a 200 create answer, checking the body's exact shape."""
    assert resp.status_code == 200, resp.data
    if fmt == "json":
        body = resp.json
        assert body is not None and list(body) == ["approval_request", "success"]
        assert body["success"] is True and list(body["approval_request"]) == ["uuid"]
        uuid: str = body["approval_request"]["uuid"]
        assert resp.data == compact(body)
        return uuid
    text = from_xml(resp)
    uuid = text.split("<uuid>")[1].split("</uuid>")[0]
    assert text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<hash>\n  <approval-request>\n'
        f"    <uuid>{uuid}</uuid>\n  </approval-request>\n"
        '  <success type="boolean">true</success>\n</hash>\n'
    )
    return uuid


def stored(client: FlaskClient, uuid: str) -> dict[str, Any]:
    resp = client.get(
        f"/onetouch/json/approval_requests/{uuid}", headers={"X-TFA-API-Key": API_KEY}
    )
    assert resp.status_code == 200
    found: dict[str, Any] = resp.json["approval_request"]  # type: ignore[index]
    return found


# -- Using OneTouch to Build a Push Notification Verification ----------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_curl_create_approval_request(client: FlaskClient, uid: int, fmt: str) -> None:
    # curl -X POST ".../onetouch/$TFA_API_FORMAT/users/$TFA_ID/approval_requests"
    #   -H "X-TFA-API-Key: $TFA_API_KEY" -d message="$OT_MESSAGE"
    #   -d "details[Location]=California, USA" -d seconds_to_expire="$OT_TTL"
    body = f"message={MESSAGE}&details[Location]=California, USA&seconds_to_expire=300"
    resp = client.post(
        f"/onetouch/{fmt}/users/{uid}/approval_requests",
        data=body.encode(),
        headers={"X-TFA-API-Key": API_KEY, "Content-Type": FORM},
    )
    found = stored(client, created_uuid(resp, fmt))
    assert (found["message"], found["seconds_to_expire"]) == (MESSAGE, 300)
    assert found["details"] == {"Location": "California, USA"}
    assert (found["notified"], found["status"]) == (True, "pending")


@pytest.mark.parametrize("fmt", FORMATS)
def test_curl_details_as_a_plain_string(
    client: FlaskClient, backend: Backend, uid: int, fmt: str
) -> None:
    # -d details="$OT_DETAILS" with a string of details: not an object.
    body = f"message={MESSAGE}&details=Location: California, USA&seconds_to_expire=300"
    headers = {"X-TFA-API-Key": API_KEY, "Content-Type": FORM}
    path = f"/onetouch/{fmt}/users/{uid}/approval_requests"
    resp = client.post(path, data=body.encode(), headers=headers)
    assert resp.status_code == 400
    reason = "Must be an object of at most 50 string values"
    expected = error("60004", f"Invalid parameter: details - {reason}")
    if fmt == "json":
        assert resp.data == compact(expected)
    else:
        assert f"<message>{expected['message']}</message>" in from_xml(resp)
    assert backend.approvals == {}
    # $OT_DETAILS empty: details count as not given.
    body = f"message={MESSAGE}&details=&seconds_to_expire=300"
    resp = client.post(path, data=body.encode(), headers=headers)
    assert stored(client, created_uuid(resp, fmt))["details"] is None


def test_csharp_form_url_encoded_content(client: FlaskClient, uid: int) -> None:
    # new FormUrlEncodedContent(new[] { message, seconds_to_expire, details[...] })
    body = (
        "message=Requesting+War+Room+Access&seconds_to_expire=300"
        "&details%5BLocation%5D=California%2C+USA&details%5BRoom%5D=VR+Room+1"
    )
    resp = client.post(
        f"/onetouch/json/users/{uid}/approval_requests",
        data=body,
        headers={
            "X-tfa-API-Key": API_KEY,
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        },
    )
    found = stored(client, created_uuid(resp, "json"))
    assert (found["message"], found["details"]) == (MESSAGE, DETAILS)
    assert (found["seconds_to_expire"], found["hidden_details"]) == (300, None)


NODE_BODIES: dict[str, dict[str, Any]] = {
    "form": {
        "data": (
            "details%5BLocation%5D=California%2C%20USA&details%5BRoom%5D=VR%20Room%201"
            "&hidden_details%5Btest%5D=This%20is%20a"
            "&message=Requesting%20War%20Room%20Access&seconds_to_expire=300"
        ),
        "content_type": FORM,
    },
    "json": {
        "json": {
            "details": DETAILS,
            "hidden_details": {"test": "This is a"},
            "message": MESSAGE,
            "seconds_to_expire": 300,
        }
    },
}


@pytest.mark.parametrize("encoding", NODE_BODIES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_node_create_then_poll_until_approved(
    client: FlaskClient, backend: Backend, uid: int, fmt: str, encoding: str
) -> None:
    # createApprovalRequest({tfaId, details: {hidden, visible}, message}, {ttl: 300})
    headers = {"X-Authy-API-Key": API_KEY}  # the key header in its other spelling
    resp = client.post(
        f"/onetouch/{fmt}/users/{uid}/approval_requests",
        headers=headers,
        **NODE_BODIES[encoding],
    )
    uuid = created_uuid(resp, fmt)
    # tfa.getApprovalRequest({id: uuid}): poll; the user approves on the device
    # after the second poll.
    seen = []
    for poll in range(5):
        resp = client.get(f"/onetouch/{fmt}/approval_requests/{uuid}", headers=headers)
        assert resp.status_code == 200
        if fmt == "json":
            status = resp.json["approval_request"]["status"]  # type: ignore[index]
        else:
            status = from_xml(resp).split("<status>")[1].split("</status>")[0]
        seen.append(status)
        if status != "pending":
            break
        if poll == 1:
            backend.approve(uuid)
    assert seen == ["pending", "pending", "approved"]
    found = stored(client, uuid)
    assert (found["details"], found["hidden_details"]) == (
        DETAILS,
        {"test": "This is a"},
    )
    assert (found["message"], found["seconds_to_expire"]) == (MESSAGE, 300)
    assert found["processed_at"] == found["updated_at"] == found["created_at"]


# -- OneCode OTP through SMS and voice; verify -------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_curl_sms_force_then_verify(
    client: FlaskClient, backend: Backend, uid: int, fmt: str
) -> None:
    # curl "http://api.tfa.com/protected/$TFA_API_FORMAT/sms/$TFA_ID?force=true"
    #   -H "X-tfa-API-Key: $TFA_API_KEY"
    headers = {"X-tfa-API-Key": API_KEY}
    resp = client.get(f"/protected/{fmt}/sms/{uid}?force=true", headers=headers)
    assert resp.status_code == 200
    sent = {
        "success": True,
        "message": "SMS token was sent",
        "cellphone": "+1-XXX-XXX-XX23",
    }
    if fmt == "json":
        assert resp.data == compact(sent)
    else:
        assert "<message>SMS token was sent</message>" in from_xml(resp)
    [message] = backend.messages
    assert (message.channel, message.to, message.purpose) == (
        "sms",
        "+12015550123",
        "token",
    )
    # GET http://api.tfa.com/protected/json/verify/<the code>/<the id>
    resp = client.get(f"/protected/json/verify/{message.code}/{uid}", headers=headers)
    assert resp.status_code == 200
    assert b'"token":"is valid"' in resp.data and b'"success":"true"' in resp.data


@pytest.mark.parametrize("fmt", FORMATS)
def test_curl_call_force(
    client: FlaskClient, backend: Backend, uid: int, fmt: str
) -> None:
    # curl -i "http://api.tfa.com/protected/$TFA_API_FORMAT/call/$TFA_ID?force=true"
    resp = client.get(
        f"/protected/{fmt}/call/{uid}?force=true", headers={"X-tfa-API-Key": API_KEY}
    )
    assert resp.status_code == 200
    called = {
        "cellphone": "+1-XXX-XXX-XX23",
        "message": "Call started...",
        "success": True,
    }
    if fmt == "json":
        assert resp.data == compact(called)
    else:
        assert "<message>Call started...</message>" in from_xml(resp)
    assert [m.channel for m in backend.messages] == ["voice"]


def test_csharp_verify_as_written(client: FlaskClient) -> None:
    resp = client.get(
        "/protected/json/verify/3812001/5661166", headers={"X-tfa-API-Key": API_KEY}
    )
    assert resp.status_code == 404
    assert resp.data == compact(error("60016", "User doesn't exist"))


# -- phone verification check (C# VerifyPhoneAsync) -----------------------------------


def test_csharp_phone_verification_check_as_written(client: FlaskClient) -> None:
    resp = client.get(
        "/protected/json/phones/verification/check"
        "?phone_number=5558675309&country_code=1&verification_code=3043",
        headers={"X-tfa-API-Key": API_KEY},
    )
    assert resp.status_code == 400
    assert resp.data == compact(error("60033", "Phone number is invalid"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_csharp_phone_verification_check_of_a_started_number(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    headers = {"X-tfa-API-Key": API_KEY}
    resp = client.post(
        "/protected/json/phones/verification/start",
        json={"via": "sms", "country_code": 1, "phone_number": "2015550123"},
        headers=headers,
    )
    assert resp.status_code == 200
    [message] = backend.messages
    query = "?phone_number={}&country_code=1&verification_code={}"
    path = f"/protected/{fmt}/phones/verification/check" + query
    resp = client.get(path.format("2015550123", "0000"), headers=headers)
    assert resp.status_code == 401
    resp = client.get(path.format("2015550123", message.code), headers=headers)
    assert resp.status_code == 200
    if fmt == "json":
        assert (
            resp.data == b'{"message":"Verification code is correct.","success":true}'
        )
    else:
        assert "<message>Verification code is correct.</message>" in from_xml(resp)
