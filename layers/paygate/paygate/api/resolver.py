"""Resolver factory and the Lambda entry point every route function uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from paygate.api import auth
from paygate.api.errors import error_body, register_error_handlers
from paygate.core.errors import PaygateError, PayloadTooLarge, UnsupportedMediaType
from paygate.core.observability import logger, metrics, tracer
from paygate.merchants.models import Principal

MAX_BODY_BYTES = 32 * 1024
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def build_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    register_error_handlers(app)
    return app


def principal(app: APIGatewayRestResolver) -> Principal:
    """The authenticated merchant and mode (set by ``lambda_handler(app, auth.merchant)``)."""
    return app.context["principal"]


def scope(app: APIGatewayRestResolver) -> str:
    """Idempotency scope of the caller: merchant + mode."""
    caller = principal(app)
    return f"{caller.merchant_id}#{caller.mode}"


def _is_json(event: dict[str, Any]) -> bool:
    """No Content-Type (curl -d without -H) counts as JSON, as Powertools reads it."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items() if isinstance(v, str)}
    content_type = headers.get("content-type", "").strip().lower()
    return not content_type or content_type.startswith("application/json")


def lambda_handler(app: APIGatewayRestResolver, authenticator: auth.Authenticator = auth.public) -> Handler:
    """The Powertools decorator stack around ``app.resolve``: logger context, metrics, tracer.

    Before routing: the body size cap and the caller's credentials, so neither an oversize body nor a
    missing key ever reaches validation or a handler.
    """
    # recorded for the OpenAPI document (paygate.api.openapi): which credentials the route takes
    app.authenticator = authenticator  # type: ignore[attr-defined]

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @metrics.log_metrics
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        try:
            if len(event.get("body") or "") > MAX_BODY_BYTES:
                raise PayloadTooLarge(f"request body is larger than {MAX_BODY_BYTES} bytes", "body")
            found = auth.context_for(event, authenticator)
            if event.get("body") and not _is_json(event):
                # Powertools would parse form or multipart bodies too (a multipart one without a
                # boundary was a 500, found by fuzzing): the API takes JSON only
                raise UnsupportedMediaType("send the body as Content-Type: application/json", "body")
        except PaygateError as exc:
            return {
                "statusCode": exc.status,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps(error_body(exc.code, exc.description, exc.field)),
                "isBase64Encoded": False,
            }
        app.clear_context()
        app.append_context(**found)
        return app.resolve(event, context)

    return handler
