"""Challenge-timeouts queue -> a 3-D Secure challenge left alone past its expiry fails
(AUTHENTICATION_TIMEOUT); a message delivered before the expiry is sent again for the time left."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.jobs.challenge_timeouts import expire

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    payment_id = json.loads(record.body)["payment_id"]
    logger.info("challenge timeout", extra={"payment_id": payment_id, "outcome": expire(payment_id)})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event, record_handler, processor, context)
