"""tfa_core: pure two-factor-authentication building blocks (standard library only)."""

from __future__ import annotations

from . import approval, codes, guard, otp, ratelimit, stores, verification
from .approval import ApprovalRequest, Approve, Deny, Logo
from .codes import codes_equal, is_numeric, numeric_code
from .errors import (
    CorruptValue,
    InvalidApprovalParameter,
    InvalidParameter,
    InvalidSecret,
    InvalidTransition,
    InvalidUri,
    StoreUnavailable,
    TfaError,
)
from .guard import Guard, Outcome
from .otp import (
    Digest,
    OtpAuth,
    b32decode,
    b32encode,
    hex_key,
    hotp,
    new_key,
    otpauth_uri,
    parse_otpauth_uri,
    time_step,
    totp,
    verify_totp,
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
    "CorruptValue",
    "Decision",
    "Deny",
    "Digest",
    "Guard",
    "InvalidApprovalParameter",
    "InvalidParameter",
    "InvalidSecret",
    "InvalidTransition",
    "InvalidUri",
    "Limit",
    "Logo",
    "OtpAuth",
    "Outcome",
    "PhoneVerification",
    "Rate",
    "StoreUnavailable",
    "TfaError",
    "VerificationStatus",
    "WindowState",
    "approval",
    "b32decode",
    "b32encode",
    "canonical",
    "codes",
    "codes_equal",
    "guard",
    "hex_key",
    "hit",
    "hit_bucket",
    "hotp",
    "is_numeric",
    "new_key",
    "numeric_code",
    "otp",
    "otpauth_uri",
    "parse_otpauth_uri",
    "ratelimit",
    "sign",
    "signed_headers",
    "stores",
    "time_step",
    "totp",
    "verification",
    "verify",
    "verify_totp",
]
