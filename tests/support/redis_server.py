"""Real redis-server processes for the tests: standalone or a 3-node Cluster.

Each starts on a free port with no disk (``--save '' --appendonly no``; a cluster
node's ``nodes.conf`` goes to a temporary folder) and is stopped by its fixture.
A missing redis-server fails the test under ``CI=true`` and skips it otherwise.
Readiness is awaited as the condition itself: the server's own "Ready to accept
connections" line, and for a cluster every node saying ``cluster_state:ok``.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest
import redis
from redis.cluster import ClusterNode, RedisCluster

from tests.support.wait import wait_for

DEADLINE = 20.0  # seconds; generous for a loaded two-core CI machine
SLOTS = 16384


def redis_server_binary() -> str:
    """The redis-server path; fails under CI=true, else skips, when there is none."""
    path = shutil.which("redis-server")
    if path is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI needs it, .ci/run installs it")
        pytest.skip(f"{message}; with CI=true this fails instead")
    return path


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port(*, cluster: bool = False) -> int:
    """A port free now; for a cluster node, its bus port (port + 10000) too."""
    if not cluster:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
            return port
    rng = random.Random()
    while True:  # Redis wants the bus port below 65536: node ports up to 55535
        port = rng.randrange(20000, 55535)
        if _free(port) and _free(port + 10000):
            return port


class PortTaken(Exception):
    """The port was taken between choosing it and binding it."""


class RedisServer:
    """One redis-server process on 127.0.0.1; :meth:`stop` and :meth:`start` again."""

    def __init__(self, folder: Path, *, cluster: bool = False) -> None:
        self.binary = redis_server_binary()
        self.folder = folder
        self.cluster = cluster
        self.process: subprocess.Popen[str] | None = None
        for _ in range(5):  # another process may take the port before the server
            self.port = free_port(cluster=cluster)
            try:
                self.start()
                return
            except PortTaken:
                continue
        raise AssertionError("no free port for redis-server after 5 tries")

    def start(self) -> None:
        """Start (or restart, on the same port) and wait until it is ready."""
        args = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.folder),
            "--daemonize", "no", "--logfile", "",
        ]  # fmt: skip
        if self.cluster:
            conf = f"nodes-{self.port}.conf"
            (self.folder / conf).unlink(missing_ok=True)
            args += ["--cluster-enabled", "yes", "--cluster-config-file", conf]
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        ready = threading.Event()
        lines: list[str] = []

        def drain() -> None:  # reads the log to its end, so the pipe never fills
            assert process.stdout is not None
            for line in process.stdout:
                if len(lines) < 200:
                    lines.append(line)
                if "Ready to accept connections" in line:
                    ready.set()
            ready.set()  # the process ended

        self.drainer = threading.Thread(target=drain, daemon=True)
        self.drainer.start()
        self.process = process
        if not ready.wait(DEADLINE) or process.poll() is not None:
            self.stop()
            log = "".join(lines)
            if "Address already in use" in log:
                raise PortTaken(self.port)
            raise AssertionError("redis-server did not start:\n" + log)

    def stop(self) -> None:
        """Kill the process (no shutdown save: there is no disk) and reap it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.drainer.join(DEADLINE)  # reads to the end of the log
            assert self.process.stdout is not None
            self.process.stdout.close()
            self.process = None

    def client(self, **options: object) -> redis.Redis:
        settings: dict[str, object] = {"socket_timeout": 5, "socket_connect_timeout": 5}
        settings.update(options)
        return redis.Redis(host="127.0.0.1", port=self.port, **settings)  # type: ignore[arg-type]


class Cluster:
    """Three primaries, each given a third of the slots by this test helper."""

    def __init__(self, folder: Path) -> None:
        self.nodes: list[RedisServer] = []
        try:
            for _ in range(3):
                self.nodes.append(RedisServer(folder, cluster=True))
            self._form()
        except BaseException:
            self.stop()  # no node outlives a cluster that did not form
            raise

    def _form(self) -> None:
        clients = [node.client() for node in self.nodes]
        bounds = [0, SLOTS // 3, 2 * SLOTS // 3, SLOTS]
        for i, c in enumerate(clients):
            c.execute_command("CLUSTER", "ADDSLOTSRANGE", bounds[i], bounds[i + 1] - 1)
        for node in self.nodes[1:]:
            clients[0].execute_command("CLUSTER", "MEET", "127.0.0.1", node.port)
        # The condition itself: every node sees three nodes and all slots served.
        wait_for(
            lambda: all(self._ok(c) for c in clients),
            DEADLINE,
            "the cluster to form (every node: state ok, 3 nodes, 3 shards)",
        )
        for c in clients:
            c.close()

    @staticmethod
    def _ok(c: redis.Redis) -> bool:
        info = c.execute_command("CLUSTER", "INFO")
        text = info.decode() if isinstance(info, bytes) else str(info)
        return all(
            f in text
            for f in ("cluster_state:ok", "cluster_known_nodes:3", "cluster_size:3")
        )

    @property
    def ports(self) -> list[int]:
        return [node.port for node in self.nodes]

    def client(self, **options: object) -> RedisCluster:
        settings: dict[str, object] = {"socket_timeout": 5, "socket_connect_timeout": 5}
        settings.update(options)
        nodes = [ClusterNode("127.0.0.1", p) for p in self.ports]
        return RedisCluster(startup_nodes=nodes, **settings)  # type: ignore[arg-type]

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
