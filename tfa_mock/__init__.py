"""tfa_mock: a faithful local mock of the tfa API, for testing 2FA flows offline."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
