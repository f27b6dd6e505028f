"""A small state for the OpenAPI tests: a user with a device, an approval request
and an enrollment QR code, made through the API and the control API."""

from __future__ import annotations

from dataclasses import dataclass

from flask.testing import FlaskClient

from tests.mock.conftest import API_KEY
from tfa_mock.backend import Backend

__all__ = ["Seeded", "seed"]

AUTH = {"X-TFA-API-Key": API_KEY}


@dataclass(frozen=True, slots=True, kw_only=True)
class Seeded:
    user_id: int
    approval_uuid: str
    qr_id: str


def seed(client: FlaskClient, backend: Backend) -> Seeded:
    """Register ana, install her device, enroll her, ask for an approval."""
    user = {"email": "ana@example.com", "cellphone": "201-555-0123", "country_code": 1}
    created = client.post(
        "/protected/json/users/new", headers=AUTH, json={"user": user}
    )
    assert created.status_code == 200, created.data
    uid = created.json["user"]["id"]  # type: ignore[index]
    installed = client.post(f"/_mock/users/{uid}/devices", json={"kind": "iphone"})
    assert installed.status_code == 200, installed.data
    secret = client.post(f"/protected/json/users/{uid}/secret", headers=AUTH, json={})
    assert secret.status_code == 200, secret.data
    qr_url: str = secret.json["qr_code"]  # type: ignore[index]
    approval = client.post(
        f"/onetouch/json/users/{uid}/approval_requests",
        headers=AUTH,
        json={
            "message": "Login requested",
            "details": {"Account Number": "981266321"},
            "logos": [{"res": "default", "url": "https://example.com/l.png"}],
        },
    )
    assert approval.status_code == 200, approval.data
    return Seeded(
        user_id=uid,
        approval_uuid=approval.json["approval_request"]["uuid"],  # type: ignore[index]
        qr_id=qr_url.rsplit("/", 1)[1].removesuffix(".png"),
    )
