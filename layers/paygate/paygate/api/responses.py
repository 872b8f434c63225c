"""JSON answers of the routes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel


def json_response(status: int, body: BaseModel | dict[str, Any]) -> Response:
    payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=payload)
