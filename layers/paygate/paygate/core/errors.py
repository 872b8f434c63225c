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


class PayloadTooLarge(PaygateError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(PaygateError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class IdempotencyKeyReused(PaygateError):
    status = 422
    code = "IDEMPOTENCY_KEY_REUSED"


class IdempotencyInProgress(PaygateError):
    status = 409
    code = "IDEMPOTENCY_REQUEST_IN_PROGRESS"


class InvalidState(PaygateError):
    """An illegal transition: capture of a failed payment, confirm of a canceled intent."""

    status = 400
    code = "INVALID_STATE"


class NotCaptured(InvalidState):
    """A refund of an authorization that was never captured (Stripe: ``charge_not_captured``)."""

    code = "PAYMENT_NOT_CAPTURED"


class MerchantUnavailable(Forbidden):
    """The merchant is suspended: no payment is taken for it, from any path."""

    code = "MERCHANT_UNAVAILABLE"


class TooManyAttempts(PaygateError):
    """A limit on attempts was reached (card testing, login throttling): retry after ``retry_after`` s."""

    status = 429
    code = "TOO_MANY_ATTEMPTS"

    def __init__(self, description: str, field: str | None = None, retry_after: int | None = 60) -> None:
        super().__init__(description, field)
        self.retry_after = retry_after


class ProcessorUnavailable(PaygateError):
    """Transient: the (simulated) processor did not answer. Step Functions retries on this name."""

    status = 503
    code = "PROCESSOR_UNAVAILABLE"


class ProcessorDeclined(PaygateError):
    """The payment's processor refused a capture, void or refund (its code and message in the text)."""

    status = 402
    code = "PROCESSOR_DECLINED"


class InvalidCredentials(Unauthorized):
    """Dashboard login: wrong email or wrong password, deliberately the same answer for both."""

    code = "INVALID_CREDENTIALS"


class DocumentMissing(PaygateError):
    """A build artifact the function serves was not packaged (the OpenAPI document)."""

    status = 503
    code = "DOCUMENT_MISSING"


class EndpointLimitReached(BadRequest):
    """A merchant's mode has as many webhook endpoints as allowed (16, as Stripe): delete one first."""

    code = "WEBHOOK_ENDPOINT_LIMIT"
