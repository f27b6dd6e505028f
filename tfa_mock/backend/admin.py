"""Operations of the control API: reset, clock, apps, inbox, devices, faults, snapshot."""

from __future__ import annotations

from .base import BackendBase

__all__ = ["AdminOps"]


class AdminOps(BackendBase):
    """Backend operations of this resource (mixed into :class:`Backend`)."""
