"""The tfa API: one blueprint per resource (API.md §3)."""

from __future__ import annotations

from flask import Blueprint

from . import app, onetouch, phones, qr, tokens, users

__all__ = ["BLUEPRINTS"]

BLUEPRINTS: tuple[Blueprint, ...] = (
    users.bp,
    tokens.bp,
    phones.bp,
    onetouch.bp,
    app.bp,
    qr.bp,
)
