"""API endpoints: phones."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("phones", __name__)
