"""``tfa-mock`` installed without the ``mock`` extra: one line naming ``tfa[mock]``,
exit code 2, no traceback. Flask is made unimportable in the child process by a
``sitecustomize`` whose import hook refuses it, as if it were not installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent

HIDE = """
import importlib.abc
import sys


class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {hidden!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, Missing())
"""


def _run(
    tmp_path: Path, command: list[str], hidden: set[str]
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "sitecustomize.py").write_text(HIDE.format(hidden=hidden))
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    return subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "command",
    [
        [str(BIN / "tfa-mock"), "serve", "--port", "0"],
        [sys.executable, "-m", "tfa_mock"],
    ],
    ids=["tfa-mock", "python -m tfa_mock"],
)
@pytest.mark.parametrize("hidden", [{"flask"}, {"segno"}, {"jinja2"}], ids=str)
def test_says_to_install_the_mock_extra(
    tmp_path: Path, command: list[str], hidden: set[str]
) -> None:
    done = _run(tmp_path, command, hidden)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "pip install 'tfa[mock]'" in lines[0]
    assert lines[0].startswith("tfa-mock: needs the mock extra (no module ")
    assert done.stdout == ""


def test_the_hook_hides_only_what_it_names(tmp_path: Path) -> None:
    # The same child without Flask hidden starts far enough to print its version.
    done = _run(tmp_path, [str(BIN / "tfa-mock"), "--version"], {"not_a_module"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0.1.0"
