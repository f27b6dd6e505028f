"""Client.verify_callback: the vectors of API.md §4.8, payloads signed here, and the
Flask receiver the README shows (run through Flask's test client)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.client.receiver import make_receiver
from tfa_core import signature
from tfa_core.client import Client

VECTORS = json.loads(
    (
        Path(__file__).resolve().parents[2] / "fixtures" / "callback_vectors.json"
    ).read_text(encoding="utf-8")
)
KEY = "tfa_example_api_key_0123456789"
URL = "https://app.example.com/tfa/onetouch/callback"
PAYLOAD: dict[str, Any] = {
    "authy_id": 1000,
    "device_uuid": "00000000-0000-0000-0000-000000000000",
    "callback_action": "approval_request_status",
    "uuid": "c1a5e0d2-7b34-4f0e-a2c9-3d8e1f6b9a04",
    "status": "approved",
    "approval_request": {
        "transaction": {
            "details": {"Account Number": "981266321", "Room": "VR Room 1"},
            "device_details": {},
            "hidden_details": None,
            "message": "Requesting War Room Access",
        },
        "logos": [{"res": "default", "url": "https://e.com/l.png"}],
    },
}


def _headers(vector: dict[str, Any], *, authy: bool = False) -> dict[str, str]:
    prefix = "X-Authy" if authy else "X-TFA"
    return {
        f"{prefix}-Signature": vector["signature"],
        f"{prefix}-Signature-Nonce": vector["nonce"],
    }


def _signed(payload: dict[str, Any], method: str, nonce: str = "1700000300") -> Any:
    canonical = signature.canonical(payload)
    headers = signature.signed_headers(KEY, nonce, method, URL, canonical)
    body = json.dumps(payload, separators=(",", ":")) if method == "POST" else canonical
    return headers, body


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
@pytest.mark.parametrize("authy", [False, True], ids=["tfa", "authy"])
def test_the_spec_vectors_verify(vector: dict[str, Any], authy: bool) -> None:
    client = Client(vector["api_key"])
    data = vector["body"] if vector["method"] == "POST" else vector["query"]
    headers = _headers(vector, authy=authy)
    assert client.verify_callback(headers, vector["method"], vector["url"], data)
    assert client.verify_callback(
        headers, vector["method"], vector["url"], data.encode()
    )


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_the_spec_vectors_fail_with_another_key_or_url(vector: dict[str, Any]) -> None:
    data = vector["body"] if vector["method"] == "POST" else vector["query"]
    headers = _headers(vector)
    method, url = vector["method"], vector["url"]
    assert not Client(vector["api_key"] + "x").verify_callback(
        headers, method, url, data
    )
    other_url = url + "x"
    assert not Client(vector["api_key"]).verify_callback(
        headers, method, other_url, data
    )


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_payload_signed_here_verifies_and_tampering_fails(method: str) -> None:
    client = Client(KEY)
    headers, body = _signed(PAYLOAD, method)
    assert client.verify_callback(headers, method, URL, body)
    lowered = {name.lower(): value for name, value in headers.items()}
    assert client.verify_callback(lowered, method, URL, body)
    denied = body.replace("approved", "denied")
    assert not client.verify_callback(headers, method, URL, denied)
    other_nonce = dict(headers, **{"X-TFA-Signature-Nonce": "1700000301"})
    other_nonce.pop("X-Authy-Signature")  # or the Authy pair would still match
    assert not client.verify_callback(other_nonce, method, URL, body)
    assert not client.verify_callback({}, method, URL, body)
    assert not Client(KEY + "!").verify_callback(headers, method, URL, body)


# -- the README's receiver ------------------------------------------------------------


def test_the_readme_receiver_accepts_signed_callbacks_only() -> None:
    seen: list[tuple[str, str]] = []
    app = make_receiver(Client(KEY), URL, lambda *event: seen.append(event))
    receiver = app.test_client()
    path = "/tfa/onetouch/callback"
    headers, body = _signed(PAYLOAD, "POST")
    ok = receiver.post(
        path, data=body, headers=headers, content_type="application/json"
    )
    assert ok.status_code == 204
    headers, query = _signed(PAYLOAD, "GET")
    assert receiver.get(f"{path}?{query}", headers=headers).status_code == 204
    assert seen == [(PAYLOAD["uuid"], "approved")] * 2
    forged = body.replace("approved", "denied")
    bad = receiver.post(
        path, data=forged, headers=headers, content_type="application/json"
    )
    assert bad.status_code == 401
    assert len(seen) == 2
