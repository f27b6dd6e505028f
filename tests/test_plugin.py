"""The pytest plugin (``tfa_mock.pytest_plugin``), run by pytester on test files."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

# In-process pytester runs drop the modules a run imported; the mock imported here,
# before any run, stays one set of modules (else a later run mixes old and new Flask).
import tfa_core.client  # noqa: F401
import tfa_mock.app  # noqa: F401

pytest_plugins = ["pytester"]

# The README's example, read from the README itself so the two cannot drift apart:
# the first Python block after the sentence that introduces it.
_README = Path(__file__).resolve().parent.parent / "README.md"
_INTRO = "An application's login flow (password, then a code by SMS)"


def _readme_example() -> str:
    text = _README.read_text(encoding="utf-8")
    after = text[text.index(_INTRO) :]
    match = re.search(r"```python\n(.*?)```", after, re.DOTALL)
    assert match is not None, "the README lost its fixture example"
    return match.group(1)


EXAMPLE = _readme_example()


def test_the_readme_example_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_login=EXAMPLE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_state_does_not_leak_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_leak="""
        import urllib.request

        def register(tfa_mock, phone):
            user = tfa_mock.backend.register_user(
                1, email="a@example.com", cellphone=phone, country_code=1,
                send_install_link=True,
            )
            return user

        def test_first(tfa_mock):
            assert register(tfa_mock, "201-555-0123") == 1000
            tfa_mock.clock.advance(3600)
            tfa_mock.fail_next("sms")
            tfa_mock.new_app("Shop")
            tfa_mock.backend.patch_app(1, {"token_length": 8})
            with urllib.request.urlopen(tfa_mock.url + "/_mock/health") as resp:
                assert resp.status == 200

        def test_second(tfa_mock):
            assert tfa_mock.clock.frozen and tfa_mock.clock.now() == 1700000000.0
            assert list(tfa_mock.inbox) == []
            assert tfa_mock.backend.list_faults() == []
            assert [a.app_id for a in tfa_mock.backend.list_apps()] == [1]
            assert tfa_mock.app.token_length == 7
            assert tfa_mock.requests == []
            assert register(tfa_mock, "201-555-0199") == 1000
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_failure_report_shows_the_inbox(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fails="""
        import urllib.request

        def test_fails(tfa_mock):
            uid = tfa_mock.backend.register_user(
                1, email="a@example.com", cellphone="201-555-0123", country_code=1,
                send_install_link=False,
            )
            request = urllib.request.Request(
                f"{tfa_mock.url}/protected/json/sms/{uid}?force=true",
                headers=tfa_mock.headers,
            )
            urllib.request.urlopen(request).close()
            assert tfa_mock.code_for("+12015550123") == "not it"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.re_match_lines(
        [
            r"-+ tfa_mock: inbox and requests -+",
            r"inbox:",
            r"#1 sms to \+12015550123 \[token\] code=(\d{7}): "
            r"Your Default App verification code is: \1$",
            r"last 1 API requests:",
            r"GET /protected/json/sms/1000 -> 200",
        ],
        consecutive=True,
    )


def test_no_report_section_for_passing_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_ok="""
        def test_ok(tfa_mock):
            assert tfa_mock.url.startswith("http://127.0.0.1:")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(passed=1)
    assert "tfa_mock: inbox and requests" not in result.stdout.str()


def test_in_process_app_fixture_and_helpers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app="""
        import threading

        import pytest

        def test_in_process(tfa_mock_app):
            client = tfa_mock_app.client
            resp = client.post(
                "/protected/json/users/new",
                json={"user": {"email": "a@example.com", "cellphone": "201-555-0123",
                               "country_code": 1}},
                headers=tfa_mock_app.headers,
            )
            uid = resp.json["user"]["id"]
            install = tfa_mock_app.inbox.latest(to="+12015550123")
            assert install.purpose == "install_link"
            tfa_mock_app.fail_next("sms")
            resp = client.get(f"/protected/json/sms/{uid}?force=true",
                              headers=tfa_mock_app.headers)
            assert resp.status_code == 500
            assert resp.json["error_code"] == "60000"
            assert [e.status for e in tfa_mock_app.requests] == [200, 500]
            assert tfa_mock_app.callbacks == []
            with pytest.raises(LookupError):
                tfa_mock_app.code_for("+12015550123")

        def test_wait_for_a_message_sent_by_another_thread(tfa_mock_app):
            backend = tfa_mock_app.backend
            uid = backend.register_user(1, email="a@example.com",
                                        cellphone="201-555-0123", country_code=1,
                                        send_install_link=False)
            sender = threading.Thread(
                target=backend.send_email_token, args=(1, uid))
            sender.start()
            message = tfa_mock_app.inbox.wait_for(channel="email", timeout=30)
            sender.join()
            assert message.to == "a@example.com" and message.code

        def test_new_app_and_approvals(tfa_mock_app):
            shop = tfa_mock_app.new_app("Shop", token_length=6)
            assert shop.app_id == 2 and len(shop.api_key) == 32
            assert tfa_mock_app.approval_requests() == []
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_ini_options(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        tfa_mock_api_key = my_key_0123456789abcdefghijklmnop
        tfa_mock_seed = 42
        tfa_mock_now = 1800000000
        """
    )
    pytester.makepyfile(
        test_ini="""
        def test_settings(tfa_mock):
            assert tfa_mock.api_key == tfa_mock.app.api_key
            assert tfa_mock.api_key == "my_key_0123456789abcdefghijklmnop"
            assert tfa_mock.clock.now() == 1800000000.0
            assert tfa_mock.backend.seed == 42
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_one_server_per_xdist_worker(pytester: pytest.Pytester) -> None:
    tests = "\n".join(
        textwrap.dedent(
            f"""
            def test_{n}(tfa_mock, worker_id):
                uid = tfa_mock.backend.register_user(
                    1, email="a@example.com", cellphone="201-555-0123",
                    country_code=1, send_install_link=True,
                )
                assert uid == 1000 and len(tfa_mock.inbox) == 1
                url_file = pathlib.Path(__file__).parent / f"url-{{worker_id}}.txt"
                url_file.write_text(tfa_mock.url)
            """
        )
        for n in range(6)
    )
    pytester.makepyfile(test_xdist="import pathlib\n" + tests)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
    urls = {p.name: p.read_text() for p in pytester.path.glob("url-*.txt")}
    assert set(urls) == {"url-gw0.txt", "url-gw1.txt"}
    assert urls["url-gw0.txt"] != urls["url-gw1.txt"]
