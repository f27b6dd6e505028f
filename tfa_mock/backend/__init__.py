"""All state of one mock server behind one lock, and the operations on it.

A package rather than one module (ARCHITECTURE.md has ``backend.py``) so that each
resource's operations stay a small module: :class:`Backend` is the sum of the
per-resource operation classes, all sharing the state and lock of ``BackendBase``.
"""

from __future__ import annotations

from .admin import AdminOps
from .base import BackendBase
from .deliveries import DeliveryOps
from .onetouch import OneTouchOps
from .phones import PhoneOps
from .tokens import TokenOps
from .users import UserOps

__all__ = ["Backend", "BackendBase"]


class Backend(DeliveryOps, UserOps, TokenOps, PhoneOps, OneTouchOps, AdminOps):
    """One mock server's state and every operation on it."""
