"""API endpoints: tokens."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("tokens", __name__)
