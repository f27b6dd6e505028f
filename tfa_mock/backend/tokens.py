"""Tokens: SMS, voice and e-mail codes; verify (API.md §3.8-3.11, §5)."""

from __future__ import annotations

from .base import BackendBase

__all__ = ["TokenOps"]


class TokenOps(BackendBase):
    """Backend operations of this resource (mixed into :class:`Backend`)."""
