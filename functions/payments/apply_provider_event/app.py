"""Provider-events queue -> each verified provider event applied once to its payment or refund.

A record whose object has no pointer yet, or is not ready for the event, raises: it alone returns to
the queue (partial batch response) and comes back after the visibility timeout, then goes to the DLQ."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.payments.provider_events import apply

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    detail = json.loads(record.body)["detail"]
    applied = apply(detail)
    logger.info(
        "provider event applied",
        extra={"event_id": detail["event_id"], "kind": detail["kind"], "applied": applied},
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event, record_handler, processor, context)
