"""webhook_delivery Task: one signed delivery attempt; tells the workflow whether to wait and retry."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.webhooks.delivery import attempt


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return attempt(event["delivery_id"], [int(s) for s in event["schedule"]])
