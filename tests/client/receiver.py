"""The README's Flask callback receiver, and a way to serve it on loopback for tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, abort, request
from werkzeug.serving import make_server

from tfa_core.client import Client

PATH = "/tfa/onetouch/callback"


def make_receiver(
    tfa: Client, callback_url: str, on_decision: Callable[[str, str], None]
) -> Flask:
    """The receiver of the README: verify, then hand ``(uuid, status)`` over."""
    app = Flask(__name__)

    @app.route(PATH, methods=["GET", "POST"])
    def tfa_callback() -> tuple[str, int]:
        # POST: the raw body; GET: the raw query string (it is the canonical string).
        data = request.get_data() if request.method == "POST" else request.query_string
        if not tfa.verify_callback(request.headers, request.method, callback_url, data):
            abort(401)
        event = request.get_json() if request.method == "POST" else request.args
        on_decision(event["uuid"], event["status"])  # approved, denied, expired
        return "", 204

    return app


@contextmanager
def serving(make_app: Callable[[str], Flask]) -> Iterator[str]:
    """Serve ``make_app(callback_url)`` on a free loopback port; yields the URL."""
    apps: list[Flask] = []

    def dispatch(environ: Any, start_response: Any) -> Any:
        return apps[0](environ, start_response)

    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}{PATH}"
    apps.append(make_app(url))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
