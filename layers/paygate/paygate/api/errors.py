"""The one exception -> HTTP map, in the error shape of DESIGN.md section 5."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from paygate.core.errors import PaygateError
from paygate.core.observability import logger


def error_body(code: str, description: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "description": description}
    if field:
        error["field"] = field
    return {"error": error}


def error_response(status: int, code: str, description: str, field: str | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=error_body(code, description, field),
    )


def domain_headers(exc: PaygateError) -> dict[str, str]:
    """Headers a domain error carries wherever it is answered (inside a route or before routing)."""
    retry_after = getattr(exc, "retry_after", None)
    # 429: when to try again (RFC 9110 Retry-After, seconds)
    return {"Retry-After": str(int(retry_after))} if retry_after is not None else {}


def _field(error: dict[str, Any]) -> str | None:
    """The offending field as a dotted path (``card.number``); ``body`` when the body as a whole is bad."""
    where = list(error.get("loc", ()))
    source = where.pop(0) if where and where[0] in ("body", "query", "path", "header") else None
    if error.get("type") == "json_invalid":
        return "body"
    path = ".".join(str(part) for part in where)
    return path or source


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(PaygateError)
    def _domain(exc: PaygateError) -> Response:
        response = error_response(exc.status, exc.code, exc.description, exc.field)
        response.headers.update(domain_headers(exc))
        return response

    @app.exception_handler(RequestValidationError)
    def _validation(exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        return error_response(400, "BAD_REQUEST_ERROR", first.get("msg", "invalid request"), _field(first))

    @app.exception_handler(RequestUnsupportedContentType)
    def _content_type(_exc: RequestUnsupportedContentType) -> Response:
        # a body sent as anything but JSON (found by fuzzing: it was a 500)
        return error_response(
            415, "UNSUPPORTED_MEDIA_TYPE", "send the body as Content-Type: application/json", "body"
        )

    @app.not_found
    def _not_found(_exc: Exception) -> Response:
        return error_response(404, "NOT_FOUND", "no such route")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return error_response(500, "SERVER_ERROR", "internal error")
