"""Fair delivery queue -> each tenant's events fanned out into deliveries, and signed delivery attempts
(5 s in all each), side by side; an attempt to be retried schedules its wait (webhook_delivery)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, metrics, tracer
from paygate.webhooks.delivery import handle_batch


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_batch(event["Records"])
