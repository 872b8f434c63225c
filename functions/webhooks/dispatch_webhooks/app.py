"""Webhook queue (every event on the bus, first in first out) -> the fair delivery queue, each event
as fan-out work of its merchant and mode (DeliverWebhook fans it out in that tenant's turn)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.webhooks.delivery_queue import route_events


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refused = route_events(event["Records"])
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in refused]}
