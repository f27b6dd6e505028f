"""The generated suites of ``bench_fixture.py``: their modules, conftests, plugins.

One flow everywhere (register a user, have an SMS sent, take its code, verify it),
written once per client: ``call()`` over urllib (``HTTP``) or requests
(``REQUESTS``), or a ``tfa_core.client.Client`` (``CLIENT``); the fixtures differ.
Each template is formatted with ``n`` (the test's number) and the canned answers.
"""

from __future__ import annotations

_NEW_USER = """
NEW_USER = {{"user": {{"email": "ana@example.com", "cellphone": "201-555-0123",
                       "country_code": 1}}, "send_install_link_via_sms": False}}
"""

HTTP = (
    """
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

"""
    + _NEW_USER
)

REQUESTS = (
    """
import requests

KEY = {key!r}


def call(base, method, path, body=None):
    answer = requests.request(
        method, base + path, json=body, headers={{"X-TFA-API-Key": KEY}}, timeout=5
    )
    return answer.json()

"""
    + _NEW_USER
)

CLIENT = """
from tfa_core.client import Client

KEY = {key!r}
"""

# The canned answers, the same for every canned contender.
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

# pytest-httpserver's expectations of the canned answers.
_EXPECT = """
    expect = httpserver.expect_request
    expect("/protected/json/users/new", method="POST").respond_with_json(
        {new_user!r}
    )
    expect("/protected/json/sms/1000", method="GET").respond_with_json({sms!r})
    expect("/protected/json/verify/1234567/1000", method="GET").respond_with_json(
        {verify!r}
    )"""

_CALLS = """
    uid = call(base, "POST", "/protected/json/users/new", NEW_USER)["user"]["id"]
    call(base, "GET", f"/protected/json/sms/{{uid}}?force=true")
    code = CODE
    body = call(base, "GET", f"/protected/json/verify/{{code}}/{{uid}}?force=true")
    assert body["success"] == "true"
"""

_CLIENT_CALLS = """
    uid = tfa.register_user(
        "ana@example.com", "201-555-0123", 1, send_install_link_via_sms=False
    ).user_id
    tfa.request_sms(uid, force=True)
    code = CODE
    assert tfa.verify_token(uid, code).message == "Token is valid."
"""

_MOCK_CODE = '{fixture}.code_for("+12015550123")'
_CANNED_CODE = '"1234567"'


def _test(fixture: str, setup: str, calls: str, code: str) -> str:
    head = "\n\ndef test_{n}(" + fixture + "):" + setup
    return head + calls.replace("CODE", code.format(fixture=fixture))


def calls_test(fixture: str, base: str, code: str, setup: str = "") -> str:
    """The flow through ``call()`` against *base* (an expression)."""
    return _test(fixture, setup + "\n    base = " + base, _CALLS, code)


def client_test(fixture: str, client: str, code: str, setup: str = "") -> str:
    """The flow through the tfa client made by *client* (an expression)."""
    return _test(fixture, setup + "\n    tfa = " + client, _CLIENT_CALLS, code)


TFA_TEST = calls_test("tfa_mock", "tfa_mock.url", _MOCK_CODE)
CANNED_TEST = calls_test(
    "httpserver", 'httpserver.url_for("").rstrip("/")', _CANNED_CODE, _EXPECT
)
FLASK_TEST = calls_test("flask_canned", "flask_canned", _CANNED_CODE)
CLIENT_TEST = client_test("tfa_mock", "tfa_mock.client()", _MOCK_CODE)
CANNED_CLIENT_TEST = client_test(
    "httpserver",
    'Client(KEY, httpserver.url_for("").rstrip("/"))',
    _CANNED_CODE,
    _EXPECT,
)
# The ceiling of client(): the same client on a transport answering from a dict.
DICT_CLIENT_TEST = client_test(
    "canned_transport",
    'Client(KEY, "https://api.tfa.com", transport=canned_transport)',
    _CANNED_CODE,
)
# The floor of a Flask fixture in process: the bare Flask app on the same transport.
FLASK_CLIENT_TEST = client_test(
    "flask_transport",
    'Client(KEY, "https://api.tfa.com", transport=flask_transport)',
    _CANNED_CODE,
)
INTERCEPT_TEST = calls_test("tfa_mock_intercept", '"https://api.tfa.com"', _MOCK_CODE)
# The ceiling of interception: responses answering requests from the canned dict.
RESPONSES_TEST = calls_test("canned_responses", '"https://api.tfa.com"', _CANNED_CODE)
EMPTY_TEST = """

def test_{n}():
    pass
"""

# The fixture of the Flask floor: the canned answers from Flask.
FLASK_CONFTEST = """
import threading

import pytest

CANNED = {canned!r}


@pytest.fixture(scope="session")
def canned_app():
    from flask import Flask

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

    return app


@pytest.fixture(scope="session")
def flask_canned(canned_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, canned_app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{{server.server_port}}"
    server.shutdown()


@pytest.fixture
def flask_transport(canned_app):
    from tfa_mock.intercept import WsgiTransport

    return WsgiTransport(canned_app)
"""

DICT_CONFTEST = """
import json

import pytest

from tfa_core.transport import HttpResponse

CANNED = {canned!r}
ROUTES = {{
    "/protected/json/users/new": "new_user",
    "/protected/json/sms/1000": "sms",
    "/protected/json/verify/1234567/1000": "verify",
}}


@pytest.fixture
def canned_transport():
    def transport(request):
        path = request.url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
        body = json.dumps(CANNED[ROUTES["/" + path]]).encode()
        return HttpResponse(
            status=200, headers={{"content-type": "application/json"}}, body=body
        )

    return transport
"""

RESPONSES_CONFTEST = """
import pytest
import responses

CANNED = {canned!r}


@pytest.fixture
def canned_responses():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        base = "https://api.tfa.com/protected/json"
        mock.add("POST", base + "/users/new", json=CANNED["new_user"])
        mock.add("GET", base + "/sms/1000", json=CANNED["sms"])
        mock.add("GET", base + "/verify/1234567/1000", json=CANNED["verify"])
        yield mock
"""


# The one plugin each suite loads (pytest's autoloading is off, see above).
PLUGINS = {
    "tfa": "tfa_mock.pytest_plugin",
    "canned": "pytest_httpserver.pytest_plugin",
    "flask": None,  # its fixture is in the suite's conftest.py
    "client": "tfa_mock.pytest_plugin",
    "canned_client": "pytest_httpserver.pytest_plugin",
    "dict_client": None,
    "flask_client": None,
    "intercept": "tfa_mock.pytest_plugin",
    "canned_requests": "pytest_httpserver.pytest_plugin",
    "responses": None,
    "empty": None,
}

# Each suite: its module's preamble, its test, its conftest.py (if any).
SUITES = {
    "tfa": (HTTP, TFA_TEST, None),
    "canned": (HTTP, CANNED_TEST, None),
    "flask": (HTTP, FLASK_TEST, FLASK_CONFTEST),
    "client": (CLIENT, CLIENT_TEST, None),
    "canned_client": (CLIENT, CANNED_CLIENT_TEST, None),
    "dict_client": (CLIENT, DICT_CLIENT_TEST, DICT_CONFTEST),
    "flask_client": (CLIENT, FLASK_CLIENT_TEST, FLASK_CONFTEST),
    "intercept": (REQUESTS, INTERCEPT_TEST, None),
    "canned_requests": (REQUESTS, CANNED_TEST, None),
    "responses": (REQUESTS, RESPONSES_TEST, RESPONSES_CONFTEST),
    "empty": (HTTP, EMPTY_TEST, None),
}
# Contender -> its anchor, the ratios taken round by round.
PAIRS = {
    "tfa": "canned",
    "flask": "canned",
    "client": "canned_client",
    "dict_client": "canned_client",
    "flask_client": "canned_client",
    "intercept": "canned_requests",
    "responses": "canned_requests",
}
