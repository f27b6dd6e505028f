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
2. In process, paired with pytest-httpserver driven by the same client code:
   the same flow through ``tfa_mock.client()`` (a tfa client on the mock's WSGI app,
   no socket) against pytest-httpserver answering a ``tfa_core.client.Client``,
   goal <= 0.7; and through ``requests`` to ``https://api.tfa.com`` under the
   ``tfa_mock_intercept`` fixture against pytest-httpserver answering ``requests``,
   goal <= 1.0. Each round runs every suite once; a pair's ratio is taken within a
   round (against that round's empty suite) and the median over the rounds counts.
   Two ceilings bound what any in-process fixture of these interfaces can reach:
   the same client on a transport that returns the canned answers from a dict (no
   app at all), and ``responses`` answering ``requests`` with the canned answers;
   and a floor bounds what a Flask-based one pays: the bare Flask app of 1. with
   the canned answers, called in process by the same transport as ``client()``.
   The same ratios in CPU seconds (user + system of the child, its server threads
   included) are printed beside: on a shared machine wall times move with other
   load, CPU times much less.
3. Start-up: ``tfa-mock serve`` against a bare Flask app started the same way (a
   subprocess on a free port), timed to the first healthy answer. Goal: <= 1.5.

Both suites of 1. speak HTTP the same way (urllib, one connection per request), and
each pair of 2. runs the same client code, so the difference is the server side and
the fixture. Prints the timings and the ratios.

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

from fixture_suites import CANNED, PAIRS, PLUGINS, SUITES

N_TESTS = 200
ROUNDS = 5  # each suite runs once a round; best times, and per-round ratios paired
STARTS = 7  # start-up measurements per server; the median counts
BIN = Path(sys.executable).parent

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


def child_env(pycache: Path) -> dict[str, str]:
    """The environment of every child process: bytecode cached, no plugin autoload."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def write_suite(root: Path, name: str, key: str) -> Path:
    preamble, test, conftest = SUITES[name]
    folder = root / name
    folder.mkdir()
    uses_tfa = PLUGINS[name] == "tfa_mock.pytest_plugin"
    ini = f"tfa_mock_api_key = {key}\n" if uses_tfa else ""
    (folder / "pytest.ini").write_text(f"[pytest]\n{ini}")
    tests = "".join(test.format(n=n, **CANNED) for n in range(N_TESTS))
    (folder / f"test_{name}.py").write_text(preamble.format(key=key) + tests)
    if conftest is not None:
        (folder / "conftest.py").write_text(conftest.format(canned=CANNED))
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


Rounds = list[dict[str, tuple[float, float]]]  # per round: suite -> (wall, cpu)


def bench_suites(root: Path, env: dict[str, str]) -> Rounds:
    """The wall and CPU seconds of every suite in each round (suites interleaved)."""
    key = "bench_key_0123456789abcdefghijkl"
    suites = {name: write_suite(root, name, key) for name in SUITES}
    for folder in suites.values():
        run_suite(folder, env)  # untimed: writes the bytecode caches
    return [
        {name: run_suite(folder, env) for name, folder in suites.items()}
        for _ in range(ROUNDS)
    ]


def best(rounds: Rounds, name: str, what: int = 0) -> float:
    """The least wall (*what* 0) or CPU (1) seconds of suite *name*."""
    return min(one[name][what] for one in rounds)


def paired(rounds: Rounds, name: str, anchor: str, what: int = 0) -> list[float]:
    """Per round: *name*'s per-test overhead over *anchor*'s, against the round's
    empty suite, in wall (*what* 0) or CPU (1) seconds; sorted."""
    ratios = []
    for one in rounds:
        empty = one["empty"][what]
        base = one[anchor][what] - empty
        used = one[name][what] - empty
        ratios.append(used / base if base > 0 else float("inf"))
    return sorted(ratios)


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


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = child_env(root / "pycache")
        rounds = bench_suites(root, env)
        mock_start, bare_start = bench_startup(root, env)
    empty, empty_cpu = best(rounds, "empty"), best(rounds, "empty", 1)

    def per(name: str) -> float:
        return per_test_ms(best(rounds, name), empty)

    def cpu_per(name: str) -> float:
        return per_test_ms(best(rounds, name, 1), empty_cpu)

    ratio = _ratio(per("tfa"), per("canned"))
    floor = _ratio(per("flask"), per("canned"))
    cpu_ratio = _ratio(cpu_per("tfa"), cpu_per("canned"))
    start_ratio = mock_start / bare_start
    print(f"bench_fixture: {N_TESTS} tests per suite, {ROUNDS} rounds, best time each")
    print(f"  empty suite (baseline)   {empty:6.2f} s wall")
    for name, label in (
        ("tfa", "tfa_mock fixture (HTTP)"),
        ("canned", "pytest-httpserver canned"),
        ("flask", "bare Flask, same canned"),
        ("client", "tfa_mock.client()"),
        ("canned_client", "httpserver, same Client"),
        ("dict_client", "ceiling: Client on a dict"),
        ("flask_client", "floor: bare Flask, in process"),
        ("intercept", "intercepted requests"),
        ("canned_requests", "httpserver, same requests"),
        ("responses", "ceiling: bare responses"),
    ):
        wall = best(rounds, name)
        print(f"  {label:<26} {wall:6.2f} s wall -> {per(name):5.2f} ms/test")
    print(f"  per-test overhead ratio tfa_mock/httpserver: {ratio:.2f} (goal <= 1.0)")
    print(f"  floor of a Flask fixture (bare Flask/httpserver): {floor:.2f}")
    print(
        f"  (CPU time instead of wall: {cpu_per('tfa'):.2f} vs "
        f"{cpu_per('canned'):.2f} ms/test, ratio {cpu_ratio:.2f})"
    )
    medians, cpu_medians = {}, {}
    for name, goal, what in (
        ("client", 0.7, "tfa_mock.client()/httpserver, same Client"),
        ("dict_client", None, "ceiling Client on a dict/httpserver"),
        ("flask_client", None, "floor bare Flask in process/httpserver"),
        ("intercept", 1.0, "intercepted requests/httpserver, same requests"),
        ("responses", None, "ceiling bare responses/httpserver"),
    ):
        ratios = paired(rounds, name, PAIRS[name])
        cpu_ratios = paired(rounds, name, PAIRS[name], 1)
        medians[name] = statistics.median(ratios)
        cpu_medians[name] = statistics.median(cpu_ratios)
        target = f" (goal <= {goal})" if goal is not None else ""
        print(
            f"  paired per-test ratio {what}: median {medians[name]:.2f}, "
            f"rounds {ratios[0]:.2f}-{ratios[-1]:.2f}{target}; CPU time: median "
            f"{cpu_medians[name]:.2f}, rounds {cpu_ratios[0]:.2f}-{cpu_ratios[-1]:.2f}"
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
                "client_ratio": round(medians["client"], 3),
                "client_ceiling_ratio": round(medians["dict_client"], 3),
                "client_flask_floor_ratio": round(medians["flask_client"], 3),
                "intercept_ratio": round(medians["intercept"], 3),
                "intercept_ceiling_ratio": round(medians["responses"], 3),
                "client_cpu_ratio": round(cpu_medians["client"], 3),
                "intercept_cpu_ratio": round(cpu_medians["intercept"], 3),
                "startup_ratio": round(start_ratio, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
