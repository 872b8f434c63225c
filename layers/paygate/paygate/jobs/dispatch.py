"""From the payments table's stream to the work it implies, so a write and its job never disagree:
a new payment is queued for its first processing attempt (``AttemptPayment``) with the simulated
processing delay as SQS ``DelaySeconds``; a new refund is queued for the refund job with the simulated
settlement delay. No Step Functions execution starts on the happy path: only a payment whose first
attempt meets a transient processor error starts one (``paygate.jobs.payment_attempts``).
"""

from __future__ import annotations

import json
import random
from typing import Any

from paygate.core import aws
from paygate.core.settings import ChallengeEnv, JobsEnv
from paygate.payments import next_action
from paygate.payments.processing import processing_delay_seconds

PAYMENT_FIELDS = (  # what an attempt routes and calls on (the card itself is in the vault: its token)
    "id",
    "merchant_id",
    "mode",
    "method",
    "card",
    "card_token",
    "amount",
    "currency",
    "order_id",
    "payment_intent_id",
    "capture_method",
    "throttle_key",
    "created_at",  # a 3-D Secure challenge's deadline counts from it (payments/next_action.py)
    "return_url",
    "wallet",  # a wallet payment's wallet (docs/connectors.md#wallets)
    "payment_method",  # the saved method paid with
    "off_session",  # a saved method charged without the customer (docs/payment-methods.md)
    "setup_intent_id",  # a setup intent's card verification
    "customer",  # risk facts (docs/risk.md): the customer, the payer's IP at the checkout, the VPA
    "client_ip",
    "vpa",
    "save_method",  # the method its card becomes if it succeeds (save_payment_method)
)


def dispatch(item: dict[str, Any]) -> None:
    kind = item.get("type")
    if kind == "payment" and item.get("status") == "pending":
        enqueue_payment(item)
    elif kind == "payment" and item.get("status") == next_action.STATUS:
        enqueue_challenge_timeout(item)
    elif kind == "refund" and item.get("status") == "pending":
        enqueue_refund(item)


def enqueue_payment(payment: dict[str, Any]) -> None:
    """A redelivered stream record queues the payment twice: the attempt is idempotent (the outcome is
    recorded only while the payment is ``pending``)."""
    settings = JobsEnv.load()
    aws.client("sqs").send_message(
        QueueUrl=settings.payment_attempt_queue_url,
        MessageBody=json.dumps({"payment": {name: payment.get(name) for name in PAYMENT_FIELDS}}),
        DelaySeconds=min(processing_delay_seconds(settings), 900),
    )


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


def enqueue_challenge_timeout(payment: dict[str, Any]) -> None:
    """A payment that just moved to ``requires_action`` (the stream's MODIFY): its timeout, delayed
    until the challenge expires, for ``ExpireChallenge``. A redelivered record sends it twice: expiring
    is conditioned on the payment still being ``requires_action``."""
    aws.client("sqs").send_message(
        QueueUrl=ChallengeEnv.load().challenge_timeout_queue_url,
        MessageBody=json.dumps({"payment_id": payment["id"]}),
        DelaySeconds=next_action.timeout_delay(payment),
    )
