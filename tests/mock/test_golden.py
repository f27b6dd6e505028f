"""Golden bodies (issue 4): one deterministic scenario through every endpoint of
API.md §3 and the key error forms, in JSON and in XML, each raw response body
compared byte for byte with its file ``fixtures/golden/api/<name>.<fmt>``.

The scenario runs on the ``client``/``backend`` fixtures (seed 7, clock frozen at
NOW), so ids, codes, uuids and timestamps repeat from run to run. Steps run in
order, one test per format; the status (and ``Retry-After`` for the 429) is checked
here, the body against the golden file.

To (re)write the goldens after a deliberate change of the wire format::

    TFA_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/mock/test_golden.py

then review the diff of ``fixtures/golden/api`` before committing. Without the
variable a missing golden file is a failure (never written silently), and so is a
golden file no step produces.

Not covered here: the meaning of each field (the endpoint tests check that), and
the 404/60000 route error on an ``xml`` path is JSON (API.md §1.5 rule 6), so its
``.xml`` golden holds JSON.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from flask.testing import FlaskClient

from tests.mock.conftest import API_KEY
from tfa_mock.backend import Backend

__all__: list[str] = []

GOLDEN_API = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "api"
UPDATE = os.environ.get("TFA_UPDATE_GOLDEN") == "1"
P = "/protected/{fmt}"
OT = "/onetouch/{fmt}"
PHONE = "country_code=1&phone_number=201-555-0199"
UNKNOWN_UUID = "3f05a350-4b2c-0136-f779-12c0c2bf9eaa"  # API.md §3.19


class Step(NamedTuple):
    """One request. ``name`` "" = a setup call (no golden, must answer 200)."""

    name: str
    method: str
    path: str  # str.format'ed with fmt, uid, code, vcode, vuuid, uuid
    status: int
    body: dict[str, Any] | None = None
    key: str = API_KEY


ANA = {"email": "ana@example.com", "cellphone": "201-555-0123", "country_code": 1}
STEPS: tuple[Step, ...] = (
    Step(
        "users_new",
        "POST",
        P + "/users/new",
        200,
        {"user": ANA, "send_install_link_via_sms": False},
    ),
    Step(
        "users_new_60027_not_valid",
        "POST",
        P + "/users/new",
        400,
        {"user": {"email": "nope", "cellphone": "12", "country_code": 1}},
    ),
    Step("users_status", "GET", P + "/users/{uid}/status", 200),
    Step("users_status_60026_not_found", "GET", P + "/users/999999/status", 404),
    Step(
        "users_update",
        "POST",
        P + "/users/{uid}/update",
        200,
        {"email": "ana@example.org"},
    ),
    Step(
        "users_register_activity",
        "POST",
        P + "/users/{uid}/register_activity",
        200,
        {"type": "cookie_login", "data": {"browser": "firefox"}},
    ),
    Step(
        "users_register_activity_60004_parameter",
        "POST",
        P + "/users/{uid}/register_activity",
        400,
        {"type": "hacked"},
    ),
    Step("users_secret", "POST", P + "/users/{uid}/secret", 200, {"qr_size": 300}),
    Step(
        "registrations_status",
        "GET",
        P + "/registrations/status?custom_user_id=u-1",
        200,
    ),
    Step("sms", "GET", P + "/sms/{uid}", 200),
    Step("verify", "GET", P + "/verify/{code}/{uid}?force=true", 200),
    Step("verify_60019_reused", "GET", P + "/verify/{code}/{uid}?force=true", 401),
    Step("verify_60020_invalid", "GET", P + "/verify/12/{uid}?force=true", 401),
    Step("call", "GET", P + "/call/{uid}", 200),
    Step("email", "POST", P + "/email/{uid}", 200),
    # Three sends so far: lower the `sends` limit to 3 for a 429 (API.md §6, §7.4).
    Step(
        "",
        "PATCH",
        "/_mock/apps/1",
        200,
        {"limits": {"sends": {"max": 3, "window": 600}}},
    ),
    Step("sms_60003_too_many", "GET", P + "/sms/{uid}?force=true", 429),
    Step("app_details", "GET", P + "/app/details", 200),
    Step("app_details_60001_bad_key", "GET", P + "/app/details", 401, key="wrong"),
    Step("app_stats", "GET", P + "/app/stats", 200),
    Step(
        "phones_verification_start",
        "POST",
        P + "/phones/verification/start",
        200,
        {"via": "sms", "country_code": 1, "phone_number": "201-555-0199"},
    ),
    Step(
        "phones_verification_status",
        "GET",
        P + "/phones/verification/status?uuid={vuuid}",
        200,
    ),
    Step(
        "phones_verification_check",
        "GET",
        P + "/phones/verification/check?" + PHONE + "&verification_code={vcode}",
        200,
    ),
    Step("phones_info", "GET", P + "/phones/info?" + PHONE, 200),
    Step(
        "approval_requests_create",
        "POST",
        OT + "/users/{uid}/approval_requests",
        200,
        {
            "message": "Login requested",
            "details": {"Account Number": "981266321", "location": "California, USA"},
            "logos": [{"res": "default", "url": "https://example.com/l.png"}],
            "seconds_to_expire": 120,
        },
    ),
    Step("approval_requests_status", "GET", OT + "/approval_requests/{uuid}", 200),
    Step(
        "approval_requests_status_60049_not_found",
        "GET",
        OT + "/approval_requests/" + UNKNOWN_UUID,
        404,
    ),
    Step("route_60000_not_found", "GET", P + "/reporting/events", 404),
    Step("users_delete", "POST", P + "/users/{uid}/delete", 200),
)


def run_scenario(client: FlaskClient, backend: Backend, fmt: str) -> list[str]:
    """Run STEPS in *fmt*; check or write each golden; the golden names used."""
    ctx: dict[str, Any] = {"fmt": fmt, "uid": 0}
    names: list[str] = []
    for step in STEPS:
        path = step.path.format(**ctx)
        resp = client.open(
            path,
            method=step.method,
            json=step.body,
            headers={"X-TFA-API-Key": step.key},
        )
        assert resp.status_code == step.status, (step.name or path, resp.data)
        if step.status == 429:
            assert resp.headers["Retry-After"] == "600"  # the window, clock frozen
        if step.name:
            names.append(step.name)
            # JSON on every path but this one (API.md §1.5 rule 6).
            json_body = fmt == "json" or step.name.startswith("route_")
            kind = "application/json" if json_body else "application/xml"
            assert resp.content_type == f"{kind}; charset=utf-8"
            check_golden(GOLDEN_API / f"{step.name}.{fmt}", resp.data)
        learn(ctx, step.name, backend)
    return names


def learn(ctx: dict[str, Any], name: str, backend: Backend) -> None:
    """Pick the values later paths need from the backend (the inbox, the records)."""
    with backend.lock:
        if name == "users_new":
            ctx["uid"] = max(backend.users)
        elif name == "sms":
            ctx["code"] = backend.messages[-1].code
        elif name == "phones_verification_start":
            ctx["vcode"] = backend.messages[-1].code
            ctx["vuuid"] = list(backend.verifications)[-1]
        elif name == "approval_requests_create":
            ctx["uuid"] = list(backend.approvals)[-1]


def check_golden(path: Path, data: bytes) -> None:
    """Write *data* (update mode) or compare it byte for byte with *path*."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    if not path.exists():
        pytest.fail(f"missing golden {path}; write it with TFA_UPDATE_GOLDEN=1")
    assert data == path.read_bytes(), f"{path.name} differs from its golden"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bodies_match_the_goldens(
    client: FlaskClient, backend: Backend, fmt: str
) -> None:
    names = run_scenario(client, backend, fmt)
    assert len(names) == len(set(names))
    if not UPDATE:
        on_disk = {p.stem for p in GOLDEN_API.glob(f"*.{fmt}")}
        assert on_disk == set(names), "golden files no step produces"
