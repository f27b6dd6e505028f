"""tfa_core: pure two-factor-authentication building blocks (standard library only)."""

from __future__ import annotations

from . import approval, ratelimit, verification
from .approval import ApprovalRequest, Approve, Deny, Logo
from .errors import (
    InvalidApprovalParameter,
    InvalidParameter,
    InvalidSecret,
    InvalidTransition,
    InvalidUri,
    TfaError,
)
from .ratelimit import (
    BucketDecision,
    BucketState,
    Decision,
    Limit,
    Rate,
    WindowState,
    hit,
    hit_bucket,
)
from .signature import canonical, sign, signed_headers, verify
from .verification import CheckOutcome, PhoneVerification, VerificationStatus

__all__ = [
    "ApprovalRequest",
    "Approve",
    "BucketDecision",
    "BucketState",
    "CheckOutcome",
    "Decision",
    "Deny",
    "InvalidApprovalParameter",
    "InvalidParameter",
    "InvalidSecret",
    "InvalidTransition",
    "InvalidUri",
    "Limit",
    "Logo",
    "PhoneVerification",
    "Rate",
    "TfaError",
    "VerificationStatus",
    "WindowState",
    "approval",
    "canonical",
    "hit",
    "hit_bucket",
    "ratelimit",
    "sign",
    "signed_headers",
    "verification",
    "verify",
]
