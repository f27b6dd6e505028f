"""The control API of the mock under ``/_mock`` (API.md §7)."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("control", __name__, url_prefix="/_mock")
