"""payment_processing Task: a retry of a payment whose first attempt (AttemptPayment) met a transient
processor error: decide the outcome and record it.

Input ``{"payment": {...}, "retry_count": n}`` (the Task's own retry count: this is attempt n + 1); with
``"give_up": true`` (the workflow's Catch after its retries) the payment is recorded failed instead.
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.core.settings import JobsEnv
from paygate.payments.processing import process, record_outcome

GIVE_UP = ("PROCESSOR_UNAVAILABLE", "the payment processor did not answer; no money was taken")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    payment = event["payment"]
    if event.get("give_up"):
        status = record_outcome(payment, False, GIVE_UP)
    else:
        status = process(payment, 1 + int(event.get("retry_count", 0)), JobsEnv.load())
    logger.info("payment processed", extra={"payment_id": payment["id"], "status": status})
    return {"payment_id": payment["id"], "status": status}
