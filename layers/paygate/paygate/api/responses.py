"""JSON answers of the routes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.shared.cookies import Cookie
from pydantic import BaseModel


def json_response(
    status: int, body: BaseModel | dict[str, Any], cookies: list[Cookie] | None = None
) -> Response:
    """``cookies`` leave as ``multiValueHeaders["Set-Cookie"]`` (Powertools, REST API proxy format); an
    answer that sets one is private to its user, so it is also marked ``Cache-Control: no-store``."""
    payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    headers = {"Cache-Control": "no-store"} if cookies else None
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=payload,
        headers=headers,
        cookies=cookies,
    )
