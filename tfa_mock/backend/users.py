"""Users: register, remove, status, update, activities, generic enrollment."""

from __future__ import annotations

from .base import BackendBase

__all__ = ["UserOps"]


class UserOps(BackendBase):
    """Backend operations of this resource (mixed into :class:`Backend`)."""
