"""Payments table stream -> payment_processing executions and refund jobs (new payments and refunds)."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core import dynamo
from paygate.core.observability import logger, tracer
from paygate.jobs.dispatch import dispatch

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: DynamoDBRecord) -> None:
    dispatch(dynamo.from_item(record.raw_event["dynamodb"].get("NewImage", {})))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event, record_handler, processor, context)
