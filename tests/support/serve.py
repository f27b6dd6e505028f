"""``tfa-mock serve`` as a subprocess: started on a free port, its banner read, its
URL known; stopped with a signal. Waiting for the banner is an event, not a sleep."""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass, field
from typing import IO, Any

import pytest

__all__ = ["STARTUP_SECONDS", "Served", "start"]

STARTUP_SECONDS = 60  # a bound on waiting for the banner (the event), not a timing


@dataclass
class Served:
    """A running ``tfa-mock serve`` and what it printed."""

    proc: subprocess.Popen[str]
    url: str
    banner: list[str]
    stderr: list[str] = field(default_factory=list)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        """GET *path*: the status and the JSON body (an HTTPError for >= 400)."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read())

    def stop(self, signum: int) -> tuple[int, str, str]:
        """Send *signum* and wait: the exit code, the rest of stdout, all stderr."""
        self.proc.send_signal(signum)
        out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, out, "".join(self.stderr) + err


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)
        if line.startswith("Press Ctrl-C"):
            return  # the rest is read by communicate()


def start(*args: str, command: list[str] | None = None) -> Served:
    """``serve --port 0 *args`` (by default ``python -m tfa_mock``), once its banner
    is out; a server that prints none is killed and the test fails."""
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
