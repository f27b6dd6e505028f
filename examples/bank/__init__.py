"""Example Bank: a small Flask site that shows tfa's use cases working end to end.

Sign-up with a verified mobile phone, log-in with a second factor (SMS, voice, the
tfa app, or the bank's own authenticator), passwordless log-in by push, step-up
approval of large transfers, password reset by phone, and tiers that cap transfers.
It talks to the tfa API only through :class:`tfa_core.client.Client`; state is in one
SQLite file. It is an example to copy from, not a product: no e-mail confirmation,
no account deletion, one currency.
"""

from __future__ import annotations

from .app import create_app
from .config import Config

__all__ = ["Config", "create_app"]
