"""``tfa-mock serve``: the mock in the foreground (also ``python -m tfa_mock``);
``tfa-mock openapi``: its OpenAPI document on standard output (exit code 1, and
no traceback, when the reader closes the pipe early).

Prints where the API and the web inbox are, the API key and a curl example, logs one
line per request (method, path with verify tokens and QR ids masked, status; never
the query string, which may carry ``api_key``), and stops cleanly on Ctrl-C or
SIGTERM with exit code 0. A port already in use is a clear message and exit code 2.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import re
import signal
import socket
import sys
from collections.abc import Sequence
from types import FrameType

from werkzeug.serving import BaseWSGIServer

from . import __version__, persist
from .app import create_app
from .backend.validate import callback_url_problem
from .config import MockConfig
from .server import Http11Handler, PooledWSGIServer
from .store import StateError

__all__ = ["RequestLogHandler", "build_parser", "main", "safe_path"]

EXIT_OK = 0
EXIT_USAGE = 2  # argparse's code for bad usage; a busy port is one too
EXIT_BROKEN_PIPE = 1  # as Python's own recipe: the output did not all arrive

_log = logging.getLogger("tfa_mock.requests")
_TOP_LEVEL = ("-h", "--help", "--version")

# Path segments that are secrets: the token of a verify, the id of a QR image.
_SECRET_SEGMENTS = (
    (re.compile(r"(/verify/)[^/]+"), r"\1***"),
    (re.compile(r"^(/qr/)[^/]+"), r"\1***"),
)


def safe_path(raw: str) -> str:
    """The path of a request line fit for a log: no query, secrets masked."""
    path = raw.split("?", 1)[0].split("#", 1)[0]
    for pattern, replacement in _SECRET_SEGMENTS:
        path = pattern.sub(replacement, path)
    return path


class RequestLogHandler(Http11Handler):
    """Logs ``<client> <METHOD> <path> <status>`` per request, nothing secret."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = getattr(code, "value", code)
        # A malformed request line is refused before it has a command or a path.
        path = getattr(self, "path", None)
        _log.info(
            "%s %s %s %s",
            self.address_string(),
            self.command or "-",
            "-" if path is None else safe_path(path),
            status,
        )

    def log_error(self, format: str, *args: object) -> None:
        # http.server quotes a malformed request line here, query string
        # (?api_key=...) and all; the log_request line above says enough.
        return


def build_parser() -> argparse.ArgumentParser:
    """The command line: ``serve`` and its options (API.md §7.1)."""
    parser = argparse.ArgumentParser(
        prog="tfa-mock", description="A local mock of the tfa API."
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve the mock in the foreground")
    serve.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
    serve.add_argument("--port", type=_port, default=8600, help="default 8600")
    serve.add_argument("--api-key", help="the default app's key (else random)")
    serve.add_argument("--app-name", default="Default App", help="default app name")
    serve.add_argument("--seed", type=int, help="seed of the random generator")
    serve.add_argument(
        "--control-token", help="require 'Authorization: Bearer <token>' on /_mock"
    )
    serve.add_argument("--callback-url", help="the default app's callback URL")
    serve.add_argument(
        "--state",
        metavar="FILE",
        help="keep the state in this SQLite file across restarts (else in memory)",
    )
    for name, what in (
        ("messages", "inbox messages"),
        ("journal", "journaled requests"),
        ("deliveries", "callback deliveries"),
    ):
        serve.add_argument(
            f"--max-{name}",
            type=_cap,
            default=10_000,
            metavar="N",
            help=f"keep the newest N {what} (default 10000)",
        )
    spec = commands.add_parser("openapi", help="print the OpenAPI 3.1 document")
    spec.add_argument(
        "--server-url",
        default="http://127.0.0.1:8600",
        help="the server the document names (default http://127.0.0.1:8600)",
    )
    return parser


def _cap(text: str) -> int:
    try:
        cap = int(text)
    except ValueError:
        cap = 0
    if cap < 1:
        raise argparse.ArgumentTypeError(f"not a positive integer: {text!r}")
    return cap


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return port


class _Stop(Exception):
    """Raised in the main thread by SIGTERM, like KeyboardInterrupt for SIGINT."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the process exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (
        args_list[0].startswith("-") and args_list[0] not in _TOP_LEVEL
    ):
        args_list.insert(0, "serve")  # `tfa-mock --port 9000` means serve
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command == "openapi":
        return _openapi(args.server_url)
    if args.command != "serve":
        parser.print_help()
        return EXIT_USAGE
    return _serve(parser, args)


def _openapi(server_url: str) -> int:
    """Print the document of the routes ``serve`` would serve."""
    from .openapi import build_document

    app = create_app(MockConfig())
    try:
        document = build_document(app, server_url.rstrip("/"))
    finally:
        app.extensions["tfa_backend"].close()
    try:
        print(json.dumps(document, indent=2, ensure_ascii=False), flush=True)
    except BrokenPipeError:
        # The reader left early (`tfa-mock openapi | head`): no traceback, and no
        # second one when Python flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    return EXIT_OK


def _serve(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.callback_url is not None and callback_url_problem(args.callback_url):
        parser.error("--callback-url: must be an absolute http or https URL")
    if args.api_key is not None and not args.api_key.strip():
        parser.error("--api-key: must not be blank")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    config = MockConfig(
        host=args.host,
        port=args.port,
        seed=args.seed,
        api_key=args.api_key,
        app_name=args.app_name,
        callback_url=args.callback_url,
        control_token=args.control_token or None,
        state_path=args.state,
        max_messages=args.max_messages,
        max_journal=args.max_journal,
        max_deliveries=args.max_deliveries,
    )
    try:
        app = create_app(config)
    except StateError as error:
        # Never a silent fresh start over a file we cannot read (issue 8).
        print(f"tfa-mock: --state {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        # Bound here, not by werkzeug, which prints its own text and exits 1.
        listener = socket.create_server(
            (config.host, config.port), family=_family(config.host)
        )
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            what = f"port {config.port} on {config.host} is already in use"
            hint = "pick another with --port"
        else:
            what = f"cannot listen on {config.host}:{config.port}: {error}"
            hint = "check --host and --port"
        print(f"tfa-mock: {what}; {hint}", file=sys.stderr)
        persist.close(app)
        return EXIT_USAGE
    with listener:
        server = PooledWSGIServer(
            config.host,
            listener.getsockname()[1],
            app,
            RequestLogHandler,
            fd=listener.fileno(),  # werkzeug serves a duplicate of it
        )
    # SIGINT stops the server even when a background shell started it with SIGINT
    # ignored (Python then leaves it ignored): a Ctrl-C or `kill -INT` is a stop.
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _banner(server, app.extensions["tfa_backend"].app(1).api_key, config)
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        server.server_close()
        app.extensions["tfa_backend"].close()
        persist.close(app)
    print("tfa-mock: stopped", flush=True)
    return EXIT_OK


def _family(host: str) -> socket.AddressFamily:
    # As werkzeug chooses it for a host (select_address_family).
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _banner(server: BaseWSGIServer, api_key: str, config: MockConfig) -> None:
    host = config.host
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.port}"
    auth = " -H 'Authorization: Bearer <control token>'" if config.control_token else ""
    lines = [
        f"tfa-mock {__version__}",
        f"  API:        {url}/protected/json/...  and  {url}/onetouch/json/...",
        f"  web inbox:  {url}/",
        f"  control:    {url}/_mock/...",
        f"  API key:    {api_key}",
        f"  try:        curl -s -H 'X-TFA-API-Key: {api_key}' "
        f"{url}/protected/json/app/details",
        f"  inbox:      curl -s{auth} {url}/_mock/inbox",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)
