"""Phone verification and phone information (API.md §3.14-3.17)."""

from __future__ import annotations

from .base import BackendBase

__all__ = ["PhoneOps"]


class PhoneOps(BackendBase):
    """Backend operations of this resource (mixed into :class:`Backend`)."""
