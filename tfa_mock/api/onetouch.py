"""API endpoints: onetouch."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("onetouch", __name__)
