"""``tfa-mock serve`` / ``python -m tfa_mock`` as a subprocess: start, answer, stop."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.serve import Served, start
from tfa_mock import __version__
from tfa_mock.cli import safe_path

KEY = "cli_test_key_0123456789abcdefghij"


@pytest.fixture
def served() -> Iterator[Served]:
    running = start("--api-key", KEY, "--app-name", "CLI App", "--seed", "3")
    yield running
    if running.proc.poll() is None:
        running.proc.kill()
        running.proc.communicate()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serves_and_stops_cleanly(served: Served, signum: int) -> None:
    assert served.get("/_mock/health") == (200, {"ok": True, "version": __version__})
    status, body = served.get(
        "/protected/json/app/details", headers={"X-TFA-API-Key": KEY}
    )
    assert status == 200 and body["app"]["name"] == "CLI App"
    code, out, err = served.stop(signum)
    assert code == 0, err
    assert out.strip().endswith("tfa-mock: stopped")
    assert "Traceback" not in err


def test_banner(served: Served) -> None:
    text = "".join(served.banner)
    assert f"API key:    {KEY}" in text
    assert (
        f"curl -s -H 'X-TFA-API-Key: {KEY}' {served.url}/protected/json/app/details"
    ) in text
    assert f"web inbox:  {served.url}/" in text
    served.stop(signal.SIGINT)


def test_logs_one_line_per_request_without_secrets(served: Served) -> None:
    served.get("/_mock/health")
    with pytest.raises(urllib.error.HTTPError):
        served.get(f"/protected/json/verify/7654321/1000?api_key={KEY}")
    code, _, err = served.stop(signal.SIGINT)
    assert code == 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [
        "127.0.0.1 GET /_mock/health 200",
        "127.0.0.1 GET /protected/json/verify/***/1000 404",
    ]
    assert KEY not in err and "7654321" not in err


def test_the_console_script_and_a_control_token() -> None:
    script = Path(sys.executable).parent / "tfa-mock"
    running = start("--control-token", "t0k", command=[str(script)])
    try:
        with pytest.raises(urllib.error.HTTPError) as denied:
            running.get("/_mock/health")
        assert denied.value.code == 401
        denied.value.close()
        status, _ = running.get("/_mock/health", {"Authorization": "Bearer t0k"})
        assert status == 200
        assert "t0k" not in "".join(running.banner)
    finally:
        code, _, _ = running.stop(signal.SIGTERM)
    assert code == 0


def test_a_port_in_use_is_exit_code_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = subprocess.run(
            [sys.executable, "-m", "tfa_mock", "serve", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert f"tfa-mock: port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [["--port", "99999"], ["--callback-url", "ftp://x/cb"], ["--seed", "x"]],
)
def test_bad_options_are_exit_code_2(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tfa_mock", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "usage: tfa-mock" in done.stderr


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("/protected/json/sms/1000?api_key=k", "/protected/json/sms/1000"),
        ("/protected/xml/verify/123456/1000", "/protected/xml/verify/***/1000"),
        ("/qr/0123abcd.png", "/qr/***"),
        ("/_mock/inbox?control_token=t#x", "/_mock/inbox"),
    ],
)
def test_safe_path(raw: str, shown: str) -> None:
    assert safe_path(raw) == shown
