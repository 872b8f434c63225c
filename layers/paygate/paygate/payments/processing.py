"""Deciding and recording a payment's outcome: the work of ``AttemptPayment`` (the first attempt, off
the payment-attempts queue) and of the payment_processing workflow's Task (its retries).

The outcome comes from a connector (``paygate.connectors``): today always the simulator (the seeds'
success rates, or ``TEST_PAYMENT_SUCCESS`` when ``TEST_MODE=true``); routing between connectors is
issue 17's next step (docs/connectors.md). Recording it is one transaction over the payment and
its parent (order -> paid; intent -> succeeded / requires_capture / requires_payment_method), guarded
by the payment still being ``pending``, so a retried or duplicated attempt never records twice.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from paygate.connectors import simulator
from paygate.connectors.base import Outcome, PaymentRequest
from paygate.connectors.simulator import SimulatorConnector
from paygate.core import clock, dynamo
from paygate.core.errors import MerchantUnavailable, ProcessorUnavailable
from paygate.core.settings import Processing
from paygate.payments import checkout_limits, store
from paygate.payments.service import ensure_can_charge

DECLINES = simulator.DECLINES


def processing_delay_seconds(settings: Processing) -> int:
    """Whole seconds: the first attempt's SQS ``DelaySeconds`` (whole seconds, at most 900)."""
    if settings.test_mode:
        return math.ceil(max(settings.test_processing_delay, 0) / 1000)
    low, high = sorted((settings.processing_delay_min, settings.processing_delay_max))
    return round(random.randint(low, high) / 1000)  # noqa: S311 - a simulated delay, not a secret


def authorization_request(payment: dict[str, Any], attempt: int) -> PaymentRequest:
    """What a connector is asked for this attempt. The card itself is not at hand (no vault yet):
    only its last four digits, which is all the simulator decides on."""
    card = payment.get("card") or {}
    return PaymentRequest(
        payment_id=payment["id"],
        amount=int(payment["amount"]),
        currency=str(payment.get("currency", "INR")),
        method=payment["method"],
        idempotency_key=f"{payment['id']}-{attempt}",
        capture=payment.get("capture_method") != "manual",
        attempt=attempt,
        card_last4=card.get("last4"),
    )


def decide(payment: dict[str, Any], attempt: int, settings: Processing) -> bool:
    """The processor's answer for this attempt: success or decline, or ProcessorUnavailable when
    nothing happened and the attempt may be retried (the workflow's Retry)."""
    result = SimulatorConnector(settings).authorize(authorization_request(payment, attempt))
    if result.outcome.failover_allowed:
        raise ProcessorUnavailable(result.provider_message or "processor unavailable")
    return result.outcome is Outcome.SUCCEEDED


SUSPENDED = ("MERCHANT_UNAVAILABLE", "the merchant cannot accept payments at the moment; no money was taken")


def process(payment: dict[str, Any], attempt: int, settings: Processing) -> str:
    """The Task's work: a suspended merchant's payment fails without reaching the processor;
    otherwise the processor decides (or raises ProcessorUnavailable for the workflow's Retry)."""
    if "merchant_id" not in payment:  # an execution started before the input carried it
        payment = {**(store.get(payment["id"]) or {}), **payment}
    try:
        ensure_can_charge(payment["merchant_id"])
    except MerchantUnavailable:
        return record_outcome(payment, False, SUSPENDED)
    return record_outcome(payment, decide(payment, attempt, settings))


def record_outcome(
    payment: dict[str, Any],
    success: bool,
    error: tuple[str, str] | None = None,
    with_parent: bool = True,
    also: Sequence[dict[str, Any]] = (),
) -> str:
    """Write the outcome; returns the payment's final status (or ``"unchanged"`` if already decided).

    A decline by the processor (``error`` None) of a public checkout payment also counts against its
    client (``checkout_limits``), in the same transaction, so a retried Task never counts it twice.
    ``also``: more writes of the same transaction (a provider event's once-only marker,
    ``paygate.payments.provider_events``); if one of them fails its condition nothing is written and
    the answer is ``"duplicate"``.
    """
    now = clock.iso_now()
    code, description = error or DECLINES[payment["method"]]
    intent_id = payment.get("payment_intent_id")
    auto_capture = bool(intent_id) and payment.get("capture_method") == "automatic"
    if success:
        sets: dict[str, Any] = {"status": "captured" if auto_capture else "success", "updated_at": now}
        if auto_capture:
            sets.update(captured=True, amount_captured=payment["amount"], captured_at=now)
    else:
        sets = {"status": "failed", "error_code": code, "error_description": description, "updated_at": now}
    writes = [store.change(payment["id"], sets, "#status = :pending", pending="pending")]
    parent = _parent_change(payment, success, auto_capture, now, (code, description)) if with_parent else None
    if parent:
        writes.append(parent)
    if not success and error is None and payment.get("throttle_key"):
        writes.append(checkout_limits.decline_counted(payment["throttle_key"], clock.now().timestamp()))
    writes.extend(also)
    reasons = dynamo.transact(writes)
    if not reasons:
        return sets["status"]
    if "ConditionalCheckFailed" in reasons[len(writes) - len(also) :]:
        return "duplicate"
    if reasons[0] == "ConditionalCheckFailed":
        return "unchanged"
    # The parent moved on (order paid by another payment, intent canceled): this payment fails.
    refused = ("PARENT_NOT_PAYABLE", "the order or intent no longer accepts this payment")
    return record_outcome(payment, False, refused, with_parent=False, also=also)


def _parent_change(
    payment: dict[str, Any], success: bool, auto_capture: bool, now: str, error: tuple[str, str]
) -> dict[str, Any] | None:
    intent_id = payment.get("payment_intent_id")
    if intent_id:
        if success:
            sets: dict[str, Any] = (
                {"status": "succeeded", "amount_received": payment["amount"]}
                if auto_capture
                else {"status": "requires_capture", "amount_capturable": payment["amount"]}
            )
        else:
            sets = {
                "status": "requires_payment_method",
                "last_payment_error": {"code": error[0], "message": error[1], "payment_id": payment["id"]},
            }
        return store.change(
            intent_id,
            {**sets, "updated_at": now},
            "#status = :processing AND #latest_payment_id = :pid",
            processing="processing",
            pid=payment["id"],
        )
    if success and payment.get("order_id"):
        return store.change(
            payment["order_id"],
            {"status": "paid", "amount_paid": payment["amount"], "amount_due": 0, "updated_at": now},
            "#status <> :paid",
            paid="paid",
        )
    return None
