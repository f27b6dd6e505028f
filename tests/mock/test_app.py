"""Application resources through HTTP: details and monthly statistics (API.md
§3.12-3.13), in JSON and XML."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.mock._users import FORMATS, assert_body, body_of, get, post, register
from tfa_mock.backend import Backend

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> float:
    """Unix seconds of a UTC date and time."""
    when = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    return when.timestamp()


def months(
    end: tuple[int, int], counts: dict[tuple[int, int], dict[str, int]]
) -> list[dict[str, Any]]:
    """12 stats items ending with the month *end*, zero except *counts*."""
    year, month = end
    index = year * 12 + month - 1
    items = []
    for i in range(index - 11, index + 1):
        y, m = divmod(i, 12)
        c = counts.get((y, m + 1), {})
        items.append(
            {
                "sms_count": c.get("sms", 0),
                "calls_count": c.get("calls", 0),
                "users_count": c.get("users", 0),
                "auths_count": c.get("auths", 0),
                "month": MONTHS[m],
                "api_calls_count": c.get("api", 0),
                "year": y,
            }
        )
    return items


@pytest.mark.parametrize("fmt", FORMATS)
def test_details(client: FlaskClient, fmt: str) -> None:
    resp = get(client, fmt, "/app/details")
    assert_body(
        resp,
        fmt,
        200,
        {
            "app": {
                "app_id": 1,
                "name": "Default App",
                "plan": "pay_as_you_go",
                "sms_enabled": True,
                "phone_calls_enabled": True,
                "onetouch_enabled": True,
            },
            "message": "Application information.",
            "success": True,
        },
    )
    if fmt == "json":
        assert resp.data == (
            b'{"app":{"app_id":1,"name":"Default App","plan":"pay_as_you_go",'
            b'"sms_enabled":true,"phone_calls_enabled":true,"onetouch_enabled":true},'
            b'"message":"Application information.","success":true}'
        )


def test_details_follow_the_settings(client: FlaskClient, backend: Backend) -> None:
    with backend.lock:
        backend.apps[1].sms_enabled = False
        backend.apps[1].name = "Shop"
    app = get(client, "json", "/app/details").json["app"]  # type: ignore[index]
    assert (app["name"], app["sms_enabled"]) == ("Shop", False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_stats_of_a_fresh_app(client: FlaskClient, fmt: str) -> None:
    resp = get(client, fmt, "/app/stats")
    expected = {
        "message": "Monthly statistics.",
        "count": 12,
        "total_users": 0,
        "app_id": 1,
        "success": True,
        # The clock stands in November 2023; this request is counted.
        "stats": months((2023, 11), {(2023, 11): {"api": 1}}),
    }
    assert_body(resp, fmt, 200, expected)


def test_stats_json_is_byte_exact(client: FlaskClient, backend: Backend) -> None:
    backend.clock.set(at(2024, 3, 15))
    data = get(client, "json", "/app/stats").data
    zero = (
        '{{"sms_count":0,"calls_count":0,"users_count":0,"auths_count":0,'
        '"month":"{}","api_calls_count":0,"year":{}}}'
    )
    items = [zero.format(m, 2023) for m in MONTHS[3:]]
    items += [zero.format(m, 2024) for m in MONTHS[:2]]
    items.append(
        '{"sms_count":0,"calls_count":0,"users_count":0,"auths_count":0,'
        '"month":"March","api_calls_count":1,"year":2024}'
    )
    assert data.decode() == (
        '{"message":"Monthly statistics.","count":12,"total_users":0,"app_id":1,'
        '"success":true,"stats":[' + ",".join(items) + "]}"
    )


def test_stats_xml_names_items_stat(client: FlaskClient) -> None:
    text = get(client, "xml", "/app/stats").data.decode()
    assert (
        '  <stats type="array">\n    <stat>\n      <sms-count type="integer">' in text
    )
    assert text.count("<stat>") == 12
    assert "<month>November</month>" in text
    assert '<api-calls-count type="integer">1</api-calls-count>' in text


def test_stats_tally_per_utc_month(client: FlaskClient, backend: Backend) -> None:
    backend.clock.set(at(2023, 3, 31, 23, 59, 59))  # outside the 12 months
    gone = register(client, cellphone="201-555-0100", send_install_link=True)

    backend.clock.set(at(2023, 11, 14))
    uid = register(client, send_install_link=True)
    get(client, "json", f"/sms/{uid}")

    backend.clock.set(at(2024, 2, 29, 23, 59, 59))
    get(client, "json", f"/call/{uid}")
    code = backend.messages[-1].code
    assert get(client, "json", f"/verify/{code}/{uid}?force=true").status_code == 200
    assert get(client, "json", f"/verify/{code}/{uid}?force=true").status_code == 401
    post(client, "json", "/email/tony")  # 404: still an API call

    backend.clock.set(at(2024, 3, 1))
    assert post(client, "json", f"/users/{gone}/delete").status_code == 200
    # A request refused at the key check is no API call of the app.
    assert client.get("/protected/json/app/stats").status_code == 401
    resp = get(client, "json", "/app/stats")
    assert body_of(resp, "json") == {
        "message": "Monthly statistics.",
        "count": 12,
        "total_users": 1,
        "app_id": 1,
        "success": True,
        "stats": months(
            (2024, 3),
            {
                (2023, 11): {"users": 1, "sms": 2, "api": 2},
                (2024, 2): {"calls": 1, "auths": 1, "api": 4},
                (2024, 3): {"api": 2},
            },
        ),
    }


def test_stats_are_per_app(client: FlaskClient, backend: Backend) -> None:
    register(client)
    with backend.lock:
        backend._add_app(name="Other", api_key="other_key_0123456789abcdefghijkl")
    resp = get(
        client,
        "json",
        "/app/stats",
        headers={"X-TFA-API-Key": "other_key_0123456789abcdefghijkl"},
    )
    body = body_of(resp, "json")
    assert (body["app_id"], body["total_users"]) == (2, 0)
    assert body["stats"] == months((2023, 11), {(2023, 11): {"api": 1}})
