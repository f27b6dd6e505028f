"""The ``tfa-mock`` console script: :func:`tfa_mock.cli.main`, or one line saying to
install the ``mock`` extra when its packages are missing.

``tfa_core`` installs without extras, and so does the ``tfa-mock`` script; without
``tfa[mock]`` (Flask, werkzeug, lxml, phonenumbers, segno) the command line cannot
import, so this module imports it inside :func:`main` and turns a missing
third-party module into a message and exit code 2 instead of a traceback.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

__all__ = ["EXIT_MISSING_EXTRA", "main"]

EXIT_MISSING_EXTRA = 2  # as for bad usage: the command cannot run as installed
_OURS = ("tfa_core", "tfa_mock")
# What the mock extra installs; some are imported only when first needed (lxml for
# XML, segno for QR codes), so they are looked for before anything starts.
_EXTRA = ("flask", "werkzeug", "lxml", "phonenumbers", "segno")


def _not_installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):  # a finder that refuses it, a broken install
        return True


def _refuse(missing: str) -> int:
    print(
        f"tfa-mock: needs the mock extra (no module {missing!r}): "
        "pip install 'tfa[mock]'",
        file=sys.stderr,
    )
    return EXIT_MISSING_EXTRA


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tfa-mock``; the process exit code."""
    for name in _EXTRA:
        if _not_installed(name):
            return _refuse(name)
    try:
        from .cli import main as run
    except ModuleNotFoundError as error:  # a dependency of one of them
        missing = (error.name or "").partition(".")[0]
        if not missing or missing in _OURS:
            raise
        return _refuse(missing)
    return run(argv)
