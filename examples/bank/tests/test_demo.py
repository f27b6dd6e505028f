"""``make demo``'s program: both servers up with a banner, both down on Ctrl-C."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_the_demo_serves_both_and_ctrl_c_stops_both() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "examples.bank.demo",
            "--mock-port",
            "0",
            "--bank-port",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
            if line.startswith("Press Ctrl-C"):
                return

    threading.Thread(target=pump, daemon=True).start()
    banner = ""
    try:
        while "Press Ctrl-C" not in banner:
            banner += lines.get(timeout=60)  # the event awaited, with a deadline
    finally:
        if "Press Ctrl-C" not in banner:
            proc.kill()
    bank = re.search(r"Example Bank:\s+(http://\S+)/", banner)
    inbox = re.search(r"web inbox:\s+(http://\S+)/", banner)
    key = re.search(r"API key: (\w{32})", banner)
    assert bank and inbox and key, banner
    assert status(bank.group(1) + "/login") == 200
    assert status(inbox.group(1) + "/") == 200
    api = urllib.request.Request(
        inbox.group(1) + "/protected/json/app/details",
        headers={"X-TFA-API-Key": key.group(1)},
    )
    assert status(api.full_url) == 401  # no key: refused
    with urllib.request.urlopen(api, timeout=10) as response:
        assert b'"name":"Example Bank"' in response.read()

    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Stopped Example Bank and the tfa mock." in out
    for url in (bank.group(1), inbox.group(1)):
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(url + "/", timeout=5)
