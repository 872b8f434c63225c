"""``Idempotency-Key`` on creating routes, with the Powertools idempotency utility over DynamoDB.

One record per scope + key (scope: merchant + mode, ``public#<order>`` for the checkout, ``admin`` for
the platform admin), whatever the route: the record keeps the route (method and path) and the body as
one hash, and the first answer (status and body). A retry on the same route with the same body gets
that answer again, marked ``Idempotent-Replayed: true``; the same key with another body, or on another
route, is 422 IDEMPOTENCY_KEY_REUSED (Stripe refuses a key reused on another endpoint); a twin still in
flight is 409. The record is taken with one conditional put (Powertools' own), so two routes racing for
one key cannot both run. Errors are not stored (Powertools deletes the record when the function
raises), so a corrected retry can succeed, on any route. Records expire after 24 h.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
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
REPLAYED_HEADER = "Idempotent-Replayed"
ADMIN_SCOPE = "admin"
TTL_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255
RECORD_PREFIX = "idempotency"
"""Record ids are ``idempotency#<hash of scope and key>``: no function name in them (Powertools' default
prefix), so one key is one record across every route."""
Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    replayed: bool


def idempotent(
    app: APIGatewayRestResolver,
    scope: str,
    request: BaseModel | dict[str, Any],
    produce: Callable[[], BaseModel],
    status: int = 201,
    replay_as: type[BaseModel] | None = None,
) -> Response:
    """The route's answer: ``produce()``'s model with ``status``, or the stored first answer."""
    outcome = idempotent_answer(
        app, scope, request, lambda: (status, produce().model_dump(mode="json")), replay_as
    )
    response = json_response(outcome.status, outcome.body)
    if outcome.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return response


def idempotent_answer(
    app: APIGatewayRestResolver,
    scope: str,
    request: BaseModel | dict[str, Any],
    produce: Callable[[], Answer],
    replay_as: type[BaseModel] | None = None,
) -> Outcome:
    """``produce()`` once per (scope, Idempotency-Key); without the header it simply runs.

    ``replay_as`` is the shape the answer is stored in, when the first answer shows a secret the gateway
    itself keeps only as a hash (API key secrets): such a secret must not lie in clear in the
    idempotency table for a day, so the record keeps the answer as this model (the merchant without its
    credentials) and a replay answers that. A caller that lost the first answer regenerates its keys."""
    key = app.current_event.headers.get(HEADER)
    if key is None:
        status, answer = produce()
        return Outcome(status, answer, replayed=False)
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"{HEADER} must be 1-{MAX_KEY_LENGTH} characters", HEADER)
    body = request.model_dump(mode="json") if isinstance(request, BaseModel) else request
    # the request's own path, ids included (Stripe compares the URL): a key for one payment's capture is
    # not a key for another's, whatever the body says
    route = f"{app.current_event.http_method} {app.current_event.path}"
    # A persistence layer per call: Powertools configures it per function, and localcloud serves many
    # functions from one process. The boto3 client underneath is the shared one.
    persistence = DynamoDBPersistenceLayer(
        table_name=IdempotencyTable.load().idempotency_table, boto3_client=aws.client("dynamodb")
    )
    config = IdempotencyConfig(
        event_key_jmespath="[scope, key]",
        payload_validation_jmespath="[route, body]",
        expires_after_seconds=TTL_SECONDS,
        lambda_context=app.lambda_context,
    )
    first: list[Answer] = []  # the answer as produced, when it is produced by this call

    @idempotent_function(
        data_keyword_argument="call", persistence_store=persistence, config=config, key_prefix=RECORD_PREFIX
    )
    def run(call: dict[str, Any]) -> dict[str, Any]:
        # The record above is the fast path; should it be lost after the create committed, the create
        # runs again with the same ids and finds its first objects (see ids.derived_ids).
        with derived_ids(os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""), scope, key):
            status, answer = produce()
        first.append((status, answer))
        kept = replay_as.model_validate(answer).model_dump(mode="json") if replay_as else answer
        return {"status": status, "body": kept}

    try:
        stored = run(call={"scope": scope, "key": key, "route": route, "body": body})
    except IdempotencyValidationError as exc:
        raise IdempotencyKeyReused(
            f"this {HEADER} was already used for another request (another body or another route)", HEADER
        ) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise IdempotencyInProgress(
            f"a request with this {HEADER} is still in progress; retry shortly", HEADER
        ) from exc
    if first:
        return Outcome(*first[0], replayed=False)
    return Outcome(int(stored["status"]), stored["body"], replayed=True)
