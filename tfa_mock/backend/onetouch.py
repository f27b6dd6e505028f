"""OneTouch approval requests: create, read, approve, deny (API.md §3.18-3.19, §4)."""

from __future__ import annotations

from .base import BackendBase

__all__ = ["OneTouchOps"]


class OneTouchOps(BackendBase):
    """Backend operations of this resource (mixed into :class:`Backend`)."""
