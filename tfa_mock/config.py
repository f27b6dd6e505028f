"""The start-up options of one mock server (API.md §7.1), shared by CLI and fixtures."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MockConfig"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MockConfig:
    """How a mock server starts: its default app, generator seed and control token."""

    host: str = "127.0.0.1"
    port: int = 8600
    seed: int | None = None
    api_key: str | None = None
    app_name: str = "Default App"
    callback_url: str | None = None
    control_token: str | None = None
    # Issue 8: the SQLite state file (tfa_mock/store.py); None keeps state in memory.
    state_path: str | None = None
    # Issue 8: the inbox, journal and delivery log keep their newest entries only.
    max_messages: int = 10_000
    max_journal: int = 10_000
    max_deliveries: int = 10_000
