"""``tfa-mock serve`` / ``python -m tfa_mock`` as a subprocess: start, answer, stop."""

from __future__ import annotations

import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from tfa_mock import __version__
from tfa_mock.cli import safe_path

KEY = "cli_test_key_0123456789abcdefghij"
STARTUP_SECONDS = 60  # a bound on waiting for the banner (the event), not a timing


@dataclass
class Served:
    """A running ``tfa-mock serve`` and what it printed."""

    proc: subprocess.Popen[str]
    url: str
    banner: list[str]
    stderr: list[str] = field(default_factory=list)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read())

    def stop(self, signum: int) -> tuple[int, str, str]:
        self.proc.send_signal(signum)
        out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, out, "".join(self.stderr) + err


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)
        if line.startswith("Press Ctrl-C"):
            return  # the rest is read by communicate()


def start(*args: str, command: list[str] | None = None) -> Served:
    cmd = command or [sys.executable, "-m", "tfa_mock"]
    proc = subprocess.Popen(
        [*cmd, "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    banner: list[str] = []
    while not banner or not banner[-1].startswith("Press Ctrl-C"):
        try:
            banner.append(lines.get(timeout=STARTUP_SECONDS))
        except queue.Empty:
            proc.kill()
            pytest.fail(f"no banner; stderr: {proc.communicate()[1]}")
    found = re.search(r"web inbox:\s+(http://\S+)/", "".join(banner))
    assert found, banner
    return Served(proc=proc, url=found.group(1), banner=banner)


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
