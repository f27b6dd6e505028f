"""tfa_mock: a faithful local mock of the tfa API, for testing 2FA flows offline.

``tfa_mock.intercept(...)`` catches HTTP to the tfa hosts in process (see
:mod:`tfa_mock.intercept`); it is imported on first use, so ``import tfa_mock``
stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .intercept import intercept as intercept

__all__ = ["__version__", "intercept"]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # PEP 562: the submodule, made callable (calling it calls intercept()), is
    # what the import system binds here anyway once anything imports it.
    if name == "intercept":
        import importlib

        return importlib.import_module(".intercept", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
