"""``make demo``: the tfa mock and Example Bank together, on loopback, until Ctrl-C.

The mock (in memory, running clock, its callbacks pointed at the bank) serves the
API and the web inbox, where a person reads codes and approves pushes; the bank
talks to it only through ``tfa_core.client.Client``. Both stop on Ctrl-C or SIGTERM.
Each run starts empty: the bank's SQLite file lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from tfa_mock.config import MockConfig
from tfa_mock.server import MockServer

from . import Config, create_app

__all__ = ["main"]

CALLBACK_PATH = "/tfa/onetouch/callback"


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.bank.demo")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--mock-port", type=int, default=8600)
    parser.add_argument("--bank-port", type=int, default=8700)
    args = parser.parse_args(argv)
    api_key = secrets.token_hex(16)
    folder = tempfile.TemporaryDirectory(prefix="example-bank-")
    # The bank's socket first: the mock's callback URL needs its port.
    holder: list[Flask] = []

    def dispatch(environ: Any, start_response: Any) -> Any:
        return holder[0](environ, start_response)

    try:
        bank_server = make_server(args.host, args.bank_port, dispatch, threaded=True)
    except OSError as error:
        print(f"Example Bank cannot listen on port {args.bank_port}: {error}")
        return 2
    bank_url = f"http://{args.host}:{bank_server.server_port}"
    mock = MockServer(
        MockConfig(
            host=args.host,
            port=args.mock_port,
            api_key=api_key,
            app_name="Example Bank",
            callback_url=bank_url + CALLBACK_PATH,
        )
    )
    try:
        mock.start()
    except OSError as error:
        bank_server.server_close()
        print(f"The tfa mock cannot listen on port {args.mock_port}: {error}")
        return 2
    config = Config(
        api_key=api_key,
        api_url=mock.url,
        secret_key=secrets.token_hex(32),
        db_path=str(Path(folder.name) / "bank.db"),
        callback_url=bank_url + CALLBACK_PATH,
    )
    holder.append(create_app(config))
    print(
        f"Example Bank:           {bank_url}/\n"
        f"tfa mock web inbox:     {mock.url}/   (codes, calls, pushes: Approve/Deny)\n"
        f"tfa mock API:           {mock.url}   API key: {api_key}\n"
        "To use the tfa app's codes, install the simulated app on a user:\n"
        f"  curl -X POST {mock.url}/_mock/users/1000/devices"
        """ -d '{"kind":"android"}'\n"""
        "Press Ctrl-C to stop both.",
        flush=True,
    )
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # Ctrl-C stops both even when a background shell started this with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    serving = threading.Thread(target=bank_server.serve_forever, daemon=True)
    serving.start()
    try:
        serving.join()
    except KeyboardInterrupt:
        pass
    finally:
        bank_server.shutdown()
        bank_server.server_close()
        mock.stop()
        folder.cleanup()
        print("Stopped Example Bank and the tfa mock.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
