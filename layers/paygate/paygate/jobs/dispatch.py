"""From the payments table's stream to the work it implies, so a write and its job never disagree:
a new payment starts its ``payment_processing`` execution (named by the payment id, so a redelivered
stream record cannot start a second one); a new refund is queued for the refund job with the
simulated settlement delay.
"""

from __future__ import annotations

import json
import random
from typing import Any

from paygate.core import aws
from paygate.core.observability import logger
from paygate.core.settings import JobsEnv
from paygate.payments.processing import processing_delay_seconds

PAYMENT_FIELDS = (
    "id",
    "merchant_id",
    "method",
    "card",
    "amount",
    "order_id",
    "payment_intent_id",
    "capture_method",
    "throttle_key",
)


def dispatch(item: dict[str, Any]) -> None:
    kind = item.get("type")
    if kind == "payment" and item.get("status") == "pending":
        start_payment_processing(item)
    elif kind == "refund" and item.get("status") == "pending":
        enqueue_refund(item)


def start_payment_processing(payment: dict[str, Any]) -> None:
    settings = JobsEnv.load()
    execution = {
        "payment": {name: payment.get(name) for name in PAYMENT_FIELDS},
        "delay_seconds": processing_delay_seconds(settings),
    }
    sfn = aws.client("stepfunctions")
    try:
        sfn.start_execution(
            stateMachineArn=settings.payment_state_machine_arn,
            name=payment["id"],
            input=json.dumps(execution),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        logger.info("payment processing already started", extra={"payment_id": payment["id"]})


def refund_delay_seconds(settings: JobsEnv) -> int:
    if settings.test_mode:
        return max(settings.test_refund_delay, 0)
    low, high = sorted((settings.refund_delay_min, settings.refund_delay_max))
    return random.randint(low, high)  # noqa: S311 - simulated settlement delay


def enqueue_refund(refund: dict[str, Any]) -> None:
    settings = JobsEnv.load()
    aws.client("sqs").send_message(
        QueueUrl=settings.refund_queue_url,
        MessageBody=json.dumps({"refund_id": refund["id"]}),
        DelaySeconds=min(refund_delay_seconds(settings), 900),
    )
