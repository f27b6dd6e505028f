"""Benchmark: the ``tfa_mock`` fixture against pytest-httpserver, and server start-up.

1. Per-test overhead. Three generated suites of 200 tests run with pytest in
   subprocesses (``-p no:cacheprovider``), same machine, same run, interleaved:
   the ``tfa_mock`` suite (each test registers a user, has an SMS sent, reads the
   code from the mock's inbox and verifies it), the same suite against
   pytest-httpserver's ``httpserver`` fixture answering canned responses, and an
   empty suite (the baseline: pytest, its plugins, collection). Overhead per test =
   (suite wall time - empty suite wall time) / 200. Goal: tfa_mock / httpserver
   <= 1.0.
   A fourth suite bounds what any Flask-based fixture can reach: a bare Flask app
   answering the same canned responses, on the server pytest-httpserver uses
   (werkzeug's, single-threaded), started once per session by a conftest fixture.
   Its ratio to pytest-httpserver is the least such a fixture pays.
2. Start-up: ``tfa-mock serve`` against a bare Flask app started the same way (a
   subprocess on a free port), timed to the first healthy answer. Goal: <= 1.5.

Both suites speak HTTP the same way (urllib, one connection per request), so the
difference is the server side and the fixture. Prints the timings and the ratios.

Fair terms for both sides:

* Plugins: pytest's autoloading is off and each suite loads only its own plugin
  (``-p``), the baseline none. With autoloading on, pytest-httpserver's plugin
  (werkzeug and all, ~35 ms) loaded in every suite, so the baseline absorbed it,
  while the tfa_mock plugin's lazy imports counted in full; the unrelated plugins
  installed here (hypothesis, xdist) only added noise (~0.7 s to every run).
* Bytecode: every child caches bytecode in a temporary ``PYTHONPYCACHEPREFIX``
  (``PYTHONDONTWRITEBYTECODE`` dropped) and runs once untimed first, as for an
  installed package (pip writes ``.pyc`` files). Otherwise an environment that sets
  ``PYTHONDONTWRITEBYTECODE`` recompiles tfa from source in every run (~55 ms),
  while Flask, werkzeug and pytest-httpserver come with the ``.pyc`` pip wrote.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

N_TESTS = 200
ROUNDS = 5  # each suite runs this many times, interleaved; the best time counts
STARTS = 7  # start-up measurements per server; the median counts
BIN = Path(sys.executable).parent

HTTP = """
import json
import urllib.request

KEY = {key!r}


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={{"X-TFA-API-Key": KEY, "Content-Type": "application/json"}},
    )
    with urllib.request.urlopen(request) as resp:
        return json.loads(resp.read())


NEW_USER = {{"user": {{"email": "ana@example.com", "cellphone": "201-555-0123",
                       "country_code": 1}}, "send_install_link_via_sms": False}}
"""

TFA_TEST = """

def test_{n}(tfa_mock):
    base = tfa_mock.url
    uid = call(base, "POST", "/protected/json/users/new", NEW_USER)["user"]["id"]
    call(base, "GET", f"/protected/json/sms/{{uid}}?force=true")
    code = tfa_mock.code_for("+12015550123")
    body = call(base, "GET", f"/protected/json/verify/{{code}}/{{uid}}?force=true")
    assert body["success"] == "true"
"""

# The canned answers, the same for pytest-httpserver and the bare Flask app.
CANNED = {
    "new_user": {
        "message": "User created successfully.",
        "user": {"id": 1000},
        "success": True,
    },
    "sms": {
        "success": True,
        "message": "SMS token was sent",
        "cellphone": "+1-XXX-XXX-XX23",
    },
    "verify": {"message": "Token is valid.", "token": "is valid", "success": "true"},
}

CANNED_TEST = """

def test_{n}(httpserver):
    expect = httpserver.expect_request
    expect("/protected/json/users/new", method="POST").respond_with_json(
        {new_user!r}
    )
    expect("/protected/json/sms/1000", method="GET").respond_with_json({sms!r})
    expect("/protected/json/verify/1234567/1000", method="GET").respond_with_json(
        {verify!r}
    )
    base = httpserver.url_for("").rstrip("/")
    uid = call(base, "POST", "/protected/json/users/new", NEW_USER)["user"]["id"]
    call(base, "GET", f"/protected/json/sms/{{uid}}?force=true")
    code = "1234567"
    body = call(base, "GET", f"/protected/json/verify/{{code}}/{{uid}}?force=true")
    assert body["success"] == "true"
"""

FLASK_TEST = """

def test_{n}(flask_canned):
    base = flask_canned
    uid = call(base, "POST", "/protected/json/users/new", NEW_USER)["user"]["id"]
    call(base, "GET", f"/protected/json/sms/{{uid}}?force=true")
    code = "1234567"
    body = call(base, "GET", f"/protected/json/verify/{{code}}/{{uid}}?force=true")
    assert body["success"] == "true"
"""

# The fixture of the Flask floor: the canned answers from Flask.
FLASK_CONFTEST = """
import threading

import pytest

CANNED = {canned!r}


@pytest.fixture(scope="session")
def flask_canned():
    from flask import Flask
    from werkzeug.serving import make_server

    app = Flask("canned")

    @app.post("/protected/json/users/new")
    def new_user():
        return CANNED["new_user"]

    @app.get("/protected/json/sms/<int:uid>")
    def sms(uid):
        return CANNED["sms"]

    @app.get("/protected/json/verify/<code>/<int:uid>")
    def verify(code, uid):
        return CANNED["verify"]

    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{{server.server_port}}"
    server.shutdown()
"""

EMPTY_TEST = """

def test_{n}():
    pass
"""

BARE_FLASK = """
import sys

from flask import Flask
from werkzeug.serving import make_server

app = Flask(__name__)


@app.get("/_mock/health")
def health():
    return {"ok": True}


server = make_server("127.0.0.1", int(sys.argv[1]), app, threaded=True)
print("serving", flush=True)
server.serve_forever()
"""


# The one plugin each suite loads (pytest's autoloading is off, see above).
PLUGINS = {
    "tfa": "tfa_mock.pytest_plugin",
    "canned": "pytest_httpserver.pytest_plugin",
    "flask": None,  # its fixture is in the suite's conftest.py
    "empty": None,
}


def child_env(pycache: Path) -> dict[str, str]:
    """The environment of every child process: bytecode cached, no plugin autoload."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def write_suite(root: Path, name: str, test: str, key: str) -> Path:
    folder = root / name
    folder.mkdir()
    ini = f"tfa_mock_api_key = {key}\n" if name == "tfa" else ""
    (folder / "pytest.ini").write_text(f"[pytest]\n{ini}")
    tests = "".join(test.format(n=n, **CANNED) for n in range(N_TESTS))
    (folder / f"test_{name}.py").write_text(HTTP.format(key=key) + tests)
    if name == "flask":
        (folder / "conftest.py").write_text(FLASK_CONFTEST.format(canned=CANNED))
    return folder


def run_suite(folder: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one pytest run."""
    plugin = PLUGINS[folder.name]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if plugin is not None:
        command += ["-p", plugin]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [*command, str(folder)], cwd=folder, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if done.returncode != 0 or f"{N_TESTS} passed" not in done.stdout:
        raise SystemExit(f"suite {folder.name} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def time_to_healthy(command: list[str], port: int, env: dict[str, str]) -> float:
    """Seconds from spawning *command* to a 200 on /_mock/health."""
    url = f"http://127.0.0.1:{port}/_mock/health"
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = started + 60
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1) as resp:
                    if resp.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.002)  # a benchmark's poll interval, not a test's wait
        raise SystemExit(f"{command[0]} never answered health")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def bench_suites(root: Path, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Best wall time and best CPU time of each suite."""
    key = "bench_key_0123456789abcdefghijkl"
    suites = {
        "tfa": write_suite(root, "tfa", TFA_TEST, key),
        "canned": write_suite(root, "canned", CANNED_TEST, key),
        "flask": write_suite(root, "flask", FLASK_TEST, key),
        "empty": write_suite(root, "empty", EMPTY_TEST, key),
    }
    for folder in suites.values():
        run_suite(folder, env)  # untimed: writes the bytecode caches
    wall = dict.fromkeys(suites, float("inf"))
    cpu = dict.fromkeys(suites, float("inf"))
    for _ in range(ROUNDS):
        for name, folder in suites.items():
            elapsed, used = run_suite(folder, env)
            wall[name] = min(wall[name], elapsed)
            cpu[name] = min(cpu[name], used)
    return {name: (wall[name], cpu[name]) for name in suites}


def bench_startup(root: Path, env: dict[str, str]) -> tuple[float, float]:
    bare = root / "bare_flask.py"
    bare.write_text(BARE_FLASK)
    mock = [str(BIN / "tfa-mock"), "serve", "--port"]
    flask = [sys.executable, str(bare)]
    mock_times, bare_times = [], []
    for round_ in range(STARTS + 1):  # round 0, untimed, writes the bytecode caches
        port = free_port()
        mock_time = time_to_healthy([*mock, str(port)], port, env)
        port = free_port()
        bare_time = time_to_healthy([*flask, str(port)], port, env)
        if round_ > 0:
            mock_times.append(mock_time)
            bare_times.append(bare_time)
    return statistics.median(mock_times), statistics.median(bare_times)


def per_test_ms(suite: float, empty: float) -> float:
    return (suite - empty) / N_TESTS * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = child_env(root / "pycache")
        times = bench_suites(root, env)
        mock_start, bare_start = bench_startup(root, env)
    (tfa, tfa_cpu), (canned, canned_cpu), (empty, empty_cpu) = (
        times["tfa"],
        times["canned"],
        times["empty"],
    )
    flask = times["flask"][0]
    tfa_per, canned_per = per_test_ms(tfa, empty), per_test_ms(canned, empty)
    flask_per = per_test_ms(flask, empty)
    ratio = tfa_per / canned_per if canned_per > 0 else float("inf")
    floor = flask_per / canned_per if canned_per > 0 else float("inf")
    tfa_cpu_per = per_test_ms(tfa_cpu, empty_cpu)
    canned_cpu_per = per_test_ms(canned_cpu, empty_cpu)
    cpu_ratio = tfa_cpu_per / canned_cpu_per if canned_cpu_per > 0 else float("inf")
    start_ratio = mock_start / bare_start
    print(f"bench_fixture: {N_TESTS} tests per suite, best of {ROUNDS} runs each")
    print(f"  empty suite (baseline)   {empty:6.2f} s wall")
    print(f"  tfa_mock fixture         {tfa:6.2f} s wall -> {tfa_per:5.2f} ms/test")
    print(
        f"  pytest-httpserver canned {canned:6.2f} s wall -> {canned_per:5.2f} ms/test"
    )
    print(
        f"  bare Flask, same canned   {flask:6.2f} s wall -> {flask_per:5.2f} ms/test"
    )
    print(f"  per-test overhead ratio tfa_mock/httpserver: {ratio:.2f} (goal <= 1.0)")
    print(f"  floor of a Flask fixture (bare Flask/httpserver): {floor:.2f}")
    print(
        f"  (CPU time instead of wall: {tfa_cpu_per:.2f} vs {canned_cpu_per:.2f} "
        f"ms/test, ratio {cpu_ratio:.2f})"
    )
    print(
        f"  start-up to first healthy answer (median of {STARTS}): "
        f"tfa-mock serve {mock_start * 1000:.0f} ms, "
        f"bare Flask {bare_start * 1000:.0f} ms"
    )
    print(f"  start-up ratio tfa-mock/bare Flask: {start_ratio:.2f} (goal <= 1.5)")
    print(
        json.dumps(
            {
                "fixture_ratio": round(ratio, 3),
                "fixture_cpu_ratio": round(cpu_ratio, 3),
                "flask_floor_ratio": round(floor, 3),
                "startup_ratio": round(start_ratio, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
