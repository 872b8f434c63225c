"""customer.erased events (EventBridge -> SQS) -> the merchant's stored webhook event bodies about the
customer redacted, then the webhooks part of the customer's erasure marked done. Idempotent (a body is
redacted once); a record that fails returns to the queue alone, then goes to the DLQ (alarmed)."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.webhooks.erasure import erase_customer_pii

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)["detail"]
    erased = erase_customer_pii(event["subject"], event["merchantid"], event["mode"])
    logger.info("customer's webhook data erased", extra={"customer": event["subject"], "erased": erased})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event, record_handler, processor, context)
