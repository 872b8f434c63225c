"""Resolver factory and the Lambda entry point every route function uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from paygate.api import auth, request_body
from paygate.api.errors import domain_headers, error_body, register_error_handlers
from paygate.core.errors import PaygateError, Unauthorized
from paygate.core.observability import logger, metrics, tracer
from paygate.merchants.models import Principal

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def build_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    register_error_handlers(app)
    return app


def principal(app: APIGatewayRestResolver) -> Principal:
    """The authenticated merchant and mode (set by ``lambda_handler(app, auth.merchant)``)."""
    return app.context["principal"]


def raw_body(app: APIGatewayRestResolver) -> bytes:
    """The request body exactly as the client sent it (the route sees canonical JSON instead): what a
    provider's webhook signature covers."""
    body: request_body.RequestBody | None = app.context.get("request_body")
    if body is None or (body.raw is None and body.text is None):
        return b""
    return body.raw if body.raw is not None else (body.text or "").encode("utf-8", "surrogatepass")


def scope(app: APIGatewayRestResolver) -> str:
    """Idempotency scope of the caller: merchant + mode."""
    caller = principal(app)
    return f"{caller.merchant_id}#{caller.mode}"


def _content_type(event: dict[str, Any]) -> str | None:
    return next(
        (
            v
            for k, v in (event.get("headers") or {}).items()
            if k.lower() == "content-type" and isinstance(v, str)
        ),
        None,
    )


def _with_json_body(event: dict[str, Any], text: str) -> dict[str, Any]:
    """The event the route sees: the canonical JSON text, and a Content-Type Powertools reads as JSON
    (it compares ``application/json`` case-sensitively)."""

    def without_content_type(headers: dict[str, Any] | None) -> dict[str, Any]:
        return {k: v for k, v in (headers or {}).items() if k.lower() != "content-type"}

    return {
        **event,
        "body": text,
        "isBase64Encoded": False,
        "headers": {**without_content_type(event.get("headers")), "Content-Type": "application/json"},
        "multiValueHeaders": {
            **without_content_type(event.get("multiValueHeaders")),
            "Content-Type": ["application/json"],
        },
    }


def _refused(exc: PaygateError, challenge: str | None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if challenge and isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = challenge
    headers.update(domain_headers(exc))  # as the error map answers it inside a route
    return {
        "statusCode": exc.status,
        "headers": headers,
        "body": json.dumps(error_body(exc.code, exc.description, exc.field)),
        "isBase64Encoded": False,
    }


def lambda_handler(app: APIGatewayRestResolver, authenticator: auth.Authenticator = auth.public) -> Handler:
    """The Powertools decorator stack around ``app.resolve``: logger context, metrics, tracer.

    Before routing, in this order: the body's size (413, cheap, before anything reads it), the caller's
    credentials (401 with ``WWW-Authenticate``: a caller without them learns nothing about the request
    and no parser ever runs on its body), then the body's media type (415) and the body itself, parsed
    once under limits (400 naming ``body`` or the field: ``paygate.api.request_body``). Nothing
    pathological reaches validation or a handler, so no body can make a 500.
    """
    # recorded for the OpenAPI document (paygate.api.openapi): which credentials the route takes
    app.authenticator = authenticator  # type: ignore[attr-defined]

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @metrics.log_metrics
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        try:
            body = request_body.received(event)
            found = auth.context_for(event, authenticator)
            if body.raw is not None or body.text is not None:
                request_body.check_media_type(_content_type(event))
                text = request_body.canonical_json(body)
                event = _with_json_body(event, text) if text is not None else event
        except PaygateError as exc:
            return _refused(exc, auth.challenge(event, authenticator))
        app.clear_context()
        app.append_context(**found, request_body=body)
        return app.resolve(event, context)

    return handler
