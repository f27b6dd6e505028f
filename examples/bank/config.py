"""The bank's settings: where the tfa API is, its key, and the bank's own rules.

Only values; nothing here reads the environment (``__main__`` and ``demo`` do).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tfa_core.ratelimit import Limit

__all__ = ["CENTS", "Config"]

CENTS = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Everything the app needs; amounts are in cents.

    ``callback_url`` is the bank's callback URL exactly as configured in tfa (the
    signature covers it); None means no callbacks, so pushes are polled at once.
    ``clock`` gives Unix seconds: tests pass the mock's clock, so one clock rules.
    """

    api_key: str
    api_url: str = "https://api.tfa.com"
    secret_key: str
    db_path: str
    callback_url: str | None = None
    clock: Callable[[], float] = time.time
    # Transfers above this need a push approval (use case 3).
    step_up_above: int = 500 * CENTS
    # Tier -> the largest transfer (use case 6).
    tier_caps: tuple[int, int, int] = (0, 1_000 * CENTS, 10_000 * CENTS)
    opening_balance: int = 25_000 * CENTS
    push_ttl: int = 120  # seconds an approval request stays answerable
    # With callbacks, the API is asked only when none came for this long.
    poll_fallback_after: float = 5.0
    callback_max_age: float = 300.0  # a callback nonce older than this is refused
    signup_limit: Limit = field(default_factory=lambda: Limit(max=5, window=3600))
    code_attempts: Limit = field(default_factory=lambda: Limit(max=5, window=300))
    password_attempts: Limit = field(default_factory=lambda: Limit(max=10, window=900))
    issuer: str = "Example Bank"
    # werkzeug's scrypt (N=2**15, r=8, p=1); tests pass a cheaper cost.
    hash_method: str = "scrypt:32768:8:1"
