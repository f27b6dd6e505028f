"""API endpoints: users."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("users", __name__)
