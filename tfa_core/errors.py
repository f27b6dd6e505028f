"""The exceptions of tfa_core.

One root, :class:`TfaError`; each subclass also inherits the built-in it resembles,
so callers that already catch ``ValueError`` keep working. Expected outcomes (a code
that does not match, a limit that refuses) are return values, not exceptions: these
are for misuse and bad input, and for a store that cannot answer.
"""

from __future__ import annotations

__all__ = [
    "CorruptValue",
    "InvalidApprovalParameter",
    "InvalidParameter",
    "InvalidSecret",
    "InvalidTransition",
    "InvalidUri",
    "StoreUnavailable",
    "TfaError",
]


class TfaError(Exception):
    """Root of every error tfa_core raises."""


class InvalidParameter(TfaError, ValueError):
    """A parameter is out of range or of the wrong kind; the message names it."""


class InvalidApprovalParameter(InvalidParameter):
    """An approval parameter is invalid; ``reason`` is the wire text (API.md §2).

    ``str(error)`` is ``"<param>: <reason>"``, like every other InvalidParameter.
    """

    def __init__(self, param: str, reason: str) -> None:
        super().__init__(f"{param}: {reason}")
        self.param = param
        self.reason = reason

    def __reduce__(self) -> tuple[type[InvalidApprovalParameter], tuple[str, str]]:
        # Exception pickling replays ``args`` (the message) into __init__, which
        # takes two arguments: give it the two it needs.
        return (type(self), (self.param, self.reason))


class InvalidSecret(InvalidParameter):
    """A secret is not valid base32 or hex, or is empty."""


class InvalidUri(InvalidParameter):
    """An ``otpauth://`` URI is malformed."""


class InvalidTransition(TfaError, ValueError):
    """A state machine was asked for a move its transition table does not have."""


class StoreUnavailable(TfaError, ConnectionError):
    """A store could not be reached in time (connection lost, timeout, locked).

    Fail closed: the operation decided nothing and accepted nothing; the caller
    should refuse the login (or retry later), never let it through.
    """


class CorruptValue(TfaError, ValueError):
    """The value under a store key is not one the store wrote; the message names it.

    Nothing was decided and nothing written: a corrupt value never accepts.
    """
