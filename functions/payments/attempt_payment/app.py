"""Payment-attempts queue -> each new payment's first processing attempt (no Step Functions on the
happy path; a transient processor error hands the payment to the payment_processing retries)."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.jobs.payment_attempts import first_attempt

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    payment = json.loads(record.body)["payment"]
    status = first_attempt(payment)
    logger.info("payment attempted", extra={"payment_id": payment["id"], "status": status})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event, record_handler, processor, context)
