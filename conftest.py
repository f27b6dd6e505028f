"""Fixtures for the whole suite (tests/ and examples/): the system Chromium."""

pytest_plugins = ["tests.support.browser"]
