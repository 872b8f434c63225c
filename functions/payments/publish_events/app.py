"""Payments table stream -> CloudEvents on the EventBridge bus (the only path by which events leave)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.events.publish import publish_records


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return publish_records(event["Records"])
