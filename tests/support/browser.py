"""The ``browser`` fixture: the system Chromium, headless, one per test session.

Registered for the whole suite by the root ``conftest.py``, so the browser tests of
``tests/browser`` and of ``examples/`` share one Playwright (a second sync Playwright
in the same process cannot start). Chromium is the system one (``apt-get install
chromium``; Playwright downloads no browser). Without it the tests skip, except on
CI (``CI=true``) where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, expect, sync_playwright

__all__ = ["CHROMIUM_ARGS", "browser", "expect_image_loaded"]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def expect_image_loaded(img: Locator) -> None:
    """Wait, to Playwright's deadline, until the ``<img>`` has decoded a real picture.

    Visible is not loaded: an image with a size set by CSS is visible before its
    bytes arrive. ``complete`` with a ``naturalWidth`` of 0 is a broken image.
    """
    expect(img).to_have_js_property("complete", True)
    expect(img).not_to_have_js_property("naturalWidth", 0)


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The system Chromium, headless."""
    path = _chromium()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (CI must run the browser tests)")
        pytest.skip("chromium not installed")
    with sync_playwright() as playwright:
        the_browser = playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield the_browser
        finally:
            the_browser.close()
