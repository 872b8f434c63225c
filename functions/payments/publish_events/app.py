"""Payments table stream -> CloudEvents on the EventBridge bus (the only path by which events leave)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core import dynamo
from paygate.core.observability import logger, tracer
from paygate.events.publish import Change, publish


def _image(record: dict[str, Any], name: str) -> dict[str, Any] | None:
    image = record["dynamodb"].get(name)
    return dynamo.from_item(image) if image else None


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    changes = [
        Change(r["dynamodb"]["SequenceNumber"], _image(r, "OldImage"), _image(r, "NewImage"))
        for r in event["Records"]
    ]
    failed = publish(changes)
    # a stream retries from the first failure on: report that one (ReportBatchItemFailures)
    return {"batchItemFailures": [{"itemIdentifier": failed[0]}] if failed else []}
