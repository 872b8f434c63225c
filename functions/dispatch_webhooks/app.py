"""Webhook queue (every event on the bus) -> one delivery and one webhook_delivery execution per
subscribed endpoint."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.webhooks.service import Known, fan_out

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord, known: Known) -> None:
    event = json.loads(record.body)["detail"]
    made = fan_out(event, known=known)
    logger.info("webhook fan-out", extra={"event_id": event["id"], "deliveries": len(made)})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    known: Known = {}  # endpoints and merchants read for this batch only (never across invocations)
    return process_partial_response(event, lambda record: record_handler(record, known), processor, context)
