"""Generic-authenticator enrollment and its QR images (API.md §3.6): the endpoint in
JSON and XML, the otpauth URI, and the PNG served at /qr/<id>.png."""

from __future__ import annotations

import re
import struct
from typing import Any

import pytest
import segno
from flask.testing import FlaskClient

from tests.mock._users import (
    FORMATS,
    assert_body,
    body_of,
    compact,
    post,
    register,
    set_key,
)
from tfa_core.otp import otpauth_uri
from tfa_mock.backend import Backend

URI = (
    "otpauth://totp/Default%20App:ana%40example.com"
    "?secret=AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYU&issuer=Default%20App"
    "&algorithm=SHA1&digits=6&period=30"
)
QR_URL = re.compile(r"http://localhost/qr/([0-9a-f]{32})\.png")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def expected_pixels(uri: str, qr_size: int) -> int:
    """API.md §3.6: scale max(1, qr_size // width in modules), border 4 included."""
    width, _ = segno.make(uri, error="m", boost_error=False, micro=False).symbol_size(
        scale=1, border=4
    )
    return int(max(1, qr_size // width) * width)


def enroll(client: FlaskClient, uid: int, fmt: str = "json", **body: Any) -> str:
    resp = post(client, fmt, f"/users/{uid}/secret", json=body)
    assert resp.status_code == 200, resp.data
    match = QR_URL.fullmatch(body_of(resp, fmt)["qr_code"])
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_secret_body(client: FlaskClient, backend: Backend, fmt: str) -> None:
    uid = register(client)
    resp = post(client, fmt, f"/users/{uid}/secret")
    qr_code = body_of(resp, fmt)["qr_code"]
    qr_id = QR_URL.fullmatch(qr_code).group(1)  # type: ignore[union-attr]
    assert_body(
        resp,
        fmt,
        200,
        {
            "label": "ana@example.com",
            "issuer": "Default App",
            "qr_code": qr_code,
            "success": True,
            "message": "QR code generated.",
        },
    )
    if fmt == "json":
        assert resp.data == (
            b'{"label":"ana@example.com","issuer":"Default App","qr_code":'
            b'"http://localhost/qr/' + qr_id.encode() + b'.png","success":true,'
            b'"message":"QR code generated."}'
        )
    assert backend.users[uid].generic_enrolled
    image = backend.qr_images[qr_id]
    assert (image.user_id, image.app_id, image.size) == (uid, 1, 300)


def test_the_uri_is_the_otpauth_form(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    set_key(backend, uid)
    qr_id = enroll(client, uid)
    assert backend.qr_images[qr_id].uri == URI
    assert (
        otpauth_uri(
            bytes.fromhex("0102030405060708090a0b0c0d0e0f1011121314"),
            label="ana@example.com",
            issuer="Default App",
        )
        == URI
    )


@pytest.mark.parametrize(
    ("label", "shown", "in_uri"),
    [
        ("Ana's phone", "Ana's phone", "Ana%27s%20phone"),
        ("  ", "ana@example.com", "ana%40example.com"),
        (" a:b ", "a:b", "a%3Ab"),
    ],
)
def test_label(
    client: FlaskClient, backend: Backend, label: str, shown: str, in_uri: str
) -> None:
    uid = register(client)
    resp = post(client, "json", f"/users/{uid}/secret", json={"label": label})
    assert resp.json["label"] == shown  # type: ignore[index]
    qr_id = QR_URL.fullmatch(resp.json["qr_code"]).group(1)  # type: ignore[index,union-attr]
    assert backend.qr_images[qr_id].uri.startswith(
        f"otpauth://totp/Default%20App:{in_uri}?secret="
    )


def test_issuer_is_the_app_name(client: FlaskClient, backend: Backend) -> None:
    with backend.lock:
        backend.apps[1].name = "Shop & Co"
    uid = register(client)
    resp = post(client, "json", f"/users/{uid}/secret")
    assert resp.json["issuer"] == "Shop & Co"  # type: ignore[index]
    qr_id = QR_URL.fullmatch(resp.json["qr_code"]).group(1)  # type: ignore[index,union-attr]
    assert "&issuer=Shop%20%26%20Co&" in backend.qr_images[qr_id].uri


@pytest.mark.parametrize("qr_size", [50, 57, 300, 1000])
def test_png_is_served_without_a_key(
    client: FlaskClient, backend: Backend, qr_size: int
) -> None:
    uid = register(client)
    qr_id = enroll(client, uid, qr_size=qr_size)
    journaled = len(backend.journal)
    resp = client.get(f"/qr/{qr_id}.png")
    assert resp.status_code == 200
    assert resp.content_type == "image/png"
    side = expected_pixels(backend.qr_images[qr_id].uri, qr_size)
    assert png_size(resp.data) == (side, side)
    assert side <= max(qr_size, 57)
    assert len(backend.journal) == journaled  # not an API route


def test_default_size_is_300(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    set_key(backend, uid)
    qr_id = enroll(client, uid)
    # The URI of API.md §5.8's secret is a version 8 symbol: 49 + 8 modules wide.
    assert png_size(client.get(f"/qr/{qr_id}.png").data) == (285, 285)


@pytest.mark.parametrize(
    "body",
    [
        {"qr_size": "120"},
        {"qr_size": 120},
        {"qr_size": 120.0},
        {"qr_size": " 120 "},
    ],
)
def test_qr_size_forms(
    client: FlaskClient, backend: Backend, body: dict[str, Any]
) -> None:
    uid = register(client)
    qr_id = enroll(client, uid, **body)
    assert backend.qr_images[qr_id].size == 120


def test_qr_size_by_form_and_xml(client: FlaskClient, backend: Backend) -> None:
    uid = register(client)
    resp = post(client, "xml", f"/users/{uid}/secret", data={"qr_size": "80"})
    qr_id = QR_URL.fullmatch(body_of(resp, "xml")["qr_code"]).group(1)  # type: ignore[union-attr]
    assert backend.qr_images[qr_id].size == 80
    resp = post(
        client,
        "json",
        f"/users/{uid}/secret",
        data='<hash><qr-size type="integer">90</qr-size></hash>',
        headers={
            "X-TFA-API-Key": "test_api_key_0123456789abcdefghij",
            "Content-Type": "text/xml",
        },
    )
    assert backend.qr_images[QR_URL.fullmatch(resp.json["qr_code"]).group(1)].size == 90  # type: ignore[index,union-attr]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("qr_size", [49, 1001, "abc", "12.5", -5, 0, True, [300]])
def test_qr_size_errors(
    client: FlaskClient, backend: Backend, fmt: str, qr_size: Any
) -> None:
    uid = register(client)
    resp = post(client, fmt, f"/users/{uid}/secret", json={"qr_size": qr_size})
    message = "Invalid parameter: qr_size - Must be an integer between 50 and 1000"
    assert_body(
        resp,
        fmt,
        400,
        {
            "message": message,
            "success": False,
            "errors": {"message": message},
            "error_code": "60004",
        },
    )
    assert not backend.users[uid].generic_enrolled
    assert backend.qr_images == {}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("uid", ["tony", "1000"])
def test_unknown_user_before_bad_qr_size(
    client: FlaskClient, fmt: str, uid: str
) -> None:
    resp = post(client, fmt, f"/users/{uid}/secret", json={"qr_size": 1})
    assert_body(
        resp,
        fmt,
        404,
        {
            "message": "User not found.",
            "success": False,
            "errors": {"message": "User not found."},
            "error_code": "60026",
        },
    )


def test_each_call_makes_a_new_image_until_the_user_is_deleted(
    client: FlaskClient, backend: Backend
) -> None:
    uid = register(client)
    other = register(client, cellphone="201-555-0124")
    first, second = enroll(client, uid), enroll(client, uid)
    kept = enroll(client, other)
    assert first != second
    assert client.get(f"/qr/{first}.png").status_code == 200
    assert client.get(f"/qr/{second}.png").status_code == 200
    post(client, "json", f"/users/{uid}/delete")
    for qr_id in (first, second):
        resp = client.get(f"/qr/{qr_id}.png")
        assert resp.status_code == 404
        assert resp.data == compact(
            {
                "message": "Not found",
                "success": False,
                "errors": {"message": "Not found"},
                "error_code": "60000",
            }
        )
    assert client.get(f"/qr/{kept}.png").status_code == 200


def test_unknown_image_and_method(client: FlaskClient) -> None:
    assert client.get("/qr/" + "0" * 32 + ".png").status_code == 404
    assert client.get("/qr/nope").status_code == 404
    uid = register(client)
    qr_id = enroll(client, uid)
    assert client.post(f"/qr/{qr_id}.png").status_code == 404
