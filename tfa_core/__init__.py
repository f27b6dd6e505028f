"""tfa_core: pure two-factor-authentication building blocks (standard library only)."""

from __future__ import annotations

from .errors import (
    InvalidParameter,
    InvalidSecret,
    InvalidTransition,
    InvalidUri,
    TfaError,
)
from .signature import canonical, sign, signed_headers, verify

__all__ = [
    "InvalidParameter",
    "InvalidSecret",
    "InvalidTransition",
    "InvalidUri",
    "TfaError",
    "canonical",
    "sign",
    "signed_headers",
    "verify",
]
