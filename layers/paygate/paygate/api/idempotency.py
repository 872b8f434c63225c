"""``Idempotency-Key`` on creating routes, with the Powertools idempotency utility over DynamoDB.

The record is keyed by function + merchant + mode + key and stores the first answer (status and
body). A retry with the same body gets that answer again; another body under the same key is 422
IDEMPOTENCY_KEY_REUSED; a twin still in flight is 409. Errors are not stored (Powertools deletes the
record when the function raises), so a corrected retry can succeed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from pydantic import BaseModel

from paygate.api.responses import json_response
from paygate.core import aws
from paygate.core.errors import BadRequest, IdempotencyInProgress, IdempotencyKeyReused
from paygate.core.ids import derived_ids
from paygate.core.settings import IdempotencyTable

HEADER = "Idempotency-Key"
TTL_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255
Answer = tuple[int, dict[str, Any]]


def idempotent(
    app: APIGatewayRestResolver,
    scope: str,
    request: BaseModel | dict[str, Any],
    produce: Callable[[], BaseModel],
    status: int = 201,
) -> Response:
    """The route's answer: ``produce()``'s model with ``status``, or the stored first answer."""
    found_status, body = idempotent_answer(
        app, scope, request, lambda: (status, produce().model_dump(mode="json"))
    )
    return json_response(found_status, body)


def idempotent_answer(
    app: APIGatewayRestResolver,
    scope: str,
    request: BaseModel | dict[str, Any],
    produce: Callable[[], Answer],
) -> Answer:
    """``produce()`` once per (scope, Idempotency-Key); without the header it simply runs."""
    key = app.current_event.headers.get(HEADER)
    if key is None:
        return produce()
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"{HEADER} must be 1-{MAX_KEY_LENGTH} characters", HEADER)
    body = request.model_dump(mode="json") if isinstance(request, BaseModel) else request
    # A persistence layer per call: Powertools configures it per function, and localcloud serves many
    # functions from one process. The boto3 client underneath is the shared one.
    persistence = DynamoDBPersistenceLayer(
        table_name=IdempotencyTable.load().idempotency_table, boto3_client=aws.client("dynamodb")
    )
    config = IdempotencyConfig(
        event_key_jmespath="[scope, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=TTL_SECONDS,
        lambda_context=app.lambda_context,
    )

    @idempotent_function(data_keyword_argument="call", persistence_store=persistence, config=config)
    def run(call: dict[str, Any]) -> dict[str, Any]:
        # The record above is the fast path; should it be lost after the create committed, the create
        # runs again with the same ids and finds its first objects (see ids.derived_ids).
        with derived_ids(os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""), scope, key):
            status, answer = produce()
        return {"status": status, "body": answer}

    try:
        stored = run(call={"scope": scope, "key": key, "body": body})
    except IdempotencyValidationError as exc:
        raise IdempotencyKeyReused(f"this {HEADER} was used with a different request body", HEADER) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise IdempotencyInProgress(
            f"a request with this {HEADER} is still in progress; retry shortly", HEADER
        ) from exc
    return int(stored["status"]), stored["body"]
