"""The ApiError family: every error the mock answers, knowing nothing of JSON or XML.

Each subclass carries ``status``, ``error_code`` and ``message`` (API.md §2); one
error handler renders them in the requested format. The envelope's shape lives in
:meth:`ApiError.body`, so the handler, the control API and the tests build it one way.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "ApprovalNotFound",
    "BadEncoding",
    "BadRequest",
    "CallsDisabled",
    "CustomCodesNotAllowed",
    "InjectedFault",
    "InvalidApiKey",
    "InvalidControlToken",
    "InvalidParameter",
    "NotFound",
    "NotPending",
    "PayloadTooLarge",
    "PhoneInvalid",
    "PhoneVerificationNotFound",
    "SmsDisabled",
    "TokenInvalid",
    "TokenReused",
    "TooManyRequests",
    "UserDoesNotExist",
    "UserNotFound",
    "UserNotValid",
    "UserSuspended",
    "VerificationCodeIncorrect",
    "VerificationNotPending",
]


class ApiError(Exception):
    """An answer other than success: status, error code and message (API.md §1.4)."""

    status: int = 400
    error_code: str = "60000"
    message: str = "Not found"

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(self.message)

    @property
    def headers(self) -> dict[str, str]:
        """Extra response headers (``Retry-After`` for 429)."""
        return {}

    def body(self) -> dict[str, Any]:
        """The error envelope, keys in the order of API.md §1.4."""
        return {
            "message": self.message,
            "success": False,
            "errors": {"message": self.message},
            "error_code": self.error_code,
        }


class NotFound(ApiError):
    """Unknown route, format or method; unknown control-API resource."""

    status, error_code, message = 404, "60000", "Not found"


class InvalidApiKey(ApiError):
    status, error_code, message = 401, "60001", "Invalid API key"


class InvalidControlToken(ApiError):
    status, error_code, message = 401, "60001", "Invalid control token"


class BadRequest(ApiError):
    """Malformed body: invalid JSON or XML, a DTD or entity, a non-object top level."""

    status, error_code, message = 400, "60002", "Invalid request"


class PayloadTooLarge(ApiError):
    status, error_code, message = 413, "60002", "Request body too large"


class TooManyRequests(ApiError):
    status, error_code, message = 429, "60003", "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = max(1, int(retry_after))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class InvalidParameter(ApiError):
    """60004: ``Invalid parameter: <name> - <reason>`` with a reason from API.md §2."""

    status, error_code = 400, "60004"

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"Invalid parameter: {name} - {reason}")


class BadEncoding(ApiError):
    status, error_code, message = 400, "60005", "UTF-8 invalid"


class CallsDisabled(ApiError):
    status, error_code = 503, "60006"
    message = "Phone calls are not enabled on this account"


class SmsDisabled(ApiError):
    status, error_code, message = 503, "60007", "SMS is not enabled"


class UserDoesNotExist(ApiError):
    status, error_code, message = 404, "60016", "User doesn't exist"


class UserSuspended(ApiError):
    status, error_code, message = 503, "60017", "User has been suspended."


class _TokenError(ApiError):
    """Token failures add a top-level ``"token":"is invalid"`` after ``message``."""

    def body(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "token": "is invalid",
            "success": False,
            "errors": {"message": self.message},
            "error_code": self.error_code,
        }


class TokenReused(_TokenError):
    status, error_code = 401, "60019"
    message = "Token is invalid. Token was used recently."


class TokenInvalid(_TokenError):
    status, error_code, message = 401, "60020", "Token is invalid"


class CustomCodesNotAllowed(ApiError):
    status, error_code = 400, "60021"
    message = "Phone verification couldn't be created: custom codes are not allowed."


class VerificationCodeIncorrect(ApiError):
    status, error_code, message = 401, "60022", "Verification code is incorrect"


class VerificationNotPending(ApiError):
    """60023 on check: ``No pending verifications for +<cc> <phone_number> found.``"""

    status, error_code = 404, "60023"

    def __init__(self, country_code: int, phone_number: str) -> None:
        super().__init__(
            f"No pending verifications for +{country_code} {phone_number} found."
        )


class PhoneVerificationNotFound(ApiError):
    status, error_code, message = 404, "60023", "Phone verification not found"


class UserNotFound(ApiError):
    status, error_code, message = 404, "60026", "User not found."


class UserNotValid(ApiError):
    """60027 with field errors at the top level after ``message`` and in ``errors``."""

    status, error_code, message = 400, "60027", "User was not valid"

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__()
        self.fields = dict(fields)

    def body(self) -> dict[str, Any]:
        return {
            "message": self.message,
            **self.fields,
            "success": False,
            "errors": {**self.fields, "message": self.message},
            "error_code": self.error_code,
        }


class PhoneInvalid(ApiError):
    status, error_code, message = 400, "60033", "Phone number is invalid"


class ApprovalNotFound(ApiError):
    """60049 names the uuid and has ``"errors":{}`` (API.md §3.19)."""

    status, error_code = 404, "60049"

    def __init__(self, uuid: str) -> None:
        super().__init__(f"Approval request not found: {uuid}")

    def body(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "success": False,
            "errors": {},
            "error_code": self.error_code,
        }


class NotPending(ApiError):
    status, error_code, message = 409, "60079", "Approval request is not pending"


class InjectedFault(ApiError):
    """A fault of the control API (§7.12): any status, code and message."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        self.status = status
        self.error_code = error_code
        super().__init__(message)
