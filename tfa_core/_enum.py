"""The base of the statuses users compare: a ``str`` Enum that prints its value.

``class Status(TextEnum)`` members are strings, so ``status == "approved"`` holds,
JSON writes them as their value, and ``str()``, ``format()`` and f-strings give the
value on every Python (``enum.StrEnum`` is 3.11+, and a plain ``(str, Enum)`` prints
``Status.APPROVED`` there). Nothing else.
"""

from __future__ import annotations

import enum

__all__ = ["TextEnum"]


class TextEnum(str, enum.Enum):
    """A string-valued Enum whose text is its value."""

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(str.__str__(self), spec)
