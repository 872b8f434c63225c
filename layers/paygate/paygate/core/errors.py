"""Domain errors. Class names are stable (Step Functions Retry/Catch match on them) and so are codes.

The API maps them to HTTP in one place (``paygate.api.errors``); nothing chooses a status by message.
"""

from __future__ import annotations


class PaygateError(Exception):
    status = 500
    code = "SERVER_ERROR"

    def __init__(self, description: str, field: str | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.field = field


class BadRequest(PaygateError):
    status = 400
    code = "BAD_REQUEST_ERROR"


class Unauthorized(PaygateError):
    status = 401
    code = "UNAUTHORIZED"


class Forbidden(PaygateError):
    status = 403
    code = "FORBIDDEN"


class NotFound(PaygateError):
    status = 404
    code = "NOT_FOUND"


class Conflict(PaygateError):
    status = 409
    code = "CONFLICT"


class Unprocessable(PaygateError):
    status = 422
    code = "UNPROCESSABLE_ENTITY"
