"""tfa_core: pure two-factor-authentication building blocks (standard library only)."""

from __future__ import annotations

from .errors import (
    InvalidParameter,
    InvalidSecret,
    InvalidTransition,
    InvalidUri,
    TfaError,
)

__all__ = [
    "InvalidParameter",
    "InvalidSecret",
    "InvalidTransition",
    "InvalidUri",
    "TfaError",
]
