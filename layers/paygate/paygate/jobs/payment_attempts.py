"""A payment's first processing attempt, taken off the payment-attempts queue, and where its retries go.

The happy path runs on SQS and Lambda only: ``DispatchJobs`` queues the new payment (the simulated
processing delay is the message's ``DelaySeconds``), ``AttemptPayment`` asks the processor and records
the outcome. Only a transient processor error (``ProcessorUnavailable``) starts a Standard execution
of ``payment_processing``, named by the payment id (a redelivered message cannot start a second one),
which waits and retries on its schedule and records ``failed`` after the last retry. Any other error
leaves the message on the queue for redelivery (then its DLQ): recording the outcome is conditioned on
the payment still being ``pending``, so a second run changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from paygate.core import aws
from paygate.core.errors import ProcessorUnavailable
from paygate.core.observability import logger
from paygate.core.settings import JobsEnv
from paygate.payments.processing import process

RETRYING = "retrying"


def first_attempt(payment: dict[str, Any]) -> str:
    """The outcome's status, or ``"retrying"`` when the retry workflow took the payment over."""
    settings = JobsEnv.load()
    try:
        return process(payment, 0, settings)
    except ProcessorUnavailable:
        start_retries(payment, settings)
        return RETRYING


def start_retries(payment: dict[str, Any], settings: JobsEnv) -> None:
    sfn = aws.client("stepfunctions")
    try:
        sfn.start_execution(
            stateMachineArn=settings.payment_state_machine_arn,
            name=payment["id"],
            input=json.dumps({"payment": payment}),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        logger.info("payment retries already started", extra={"payment_id": payment["id"]})
