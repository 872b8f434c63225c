"""Refund use cases. The ceiling (refunds never exceed what was taken, see
``paygate.payments.lifecycle``) is enforced by the database, not by a read: the refund is written in
one transaction with an update of the payment's ``amount_refunded`` (and, when it reaches what was
taken, its status ``refunded``) conditioned on the payment's version being the one the plan was made
from. Concurrent refunds and captures race on that condition; the losers read again and plan again.
"""

from __future__ import annotations

from typing import Any

from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, Conflict, InvalidState
from paygate.core.ids import new_id
from paygate.merchants.models import Principal
from paygate.payments import lifecycle, store
from paygate.payments.access import owned
from paygate.payments.transitions import Stale, payment_write, retrying
from paygate.refunds.models import Refund, RefundIn, RefundList

REFUNDABLE = lifecycle.REFUNDABLE


def create_refund(principal: Principal, payment_id: str, data: RefundIn) -> Refund:
    refund_id = new_id("rfnd")

    def attempt() -> Refund:
        payment = owned(principal, "payment", payment_id)
        now = clock.iso_now()
        try:
            change = lifecycle.plan_refund(payment, data.amount, now)
        except (InvalidState, BadRequest):
            if first := store.get(refund_id):  # this request ran before (see ids.derived_ids)
                return Refund.model_validate(first)
            raise
        refund = _refund_item(refund_id, payment, change.amount, data.reason, now)
        reasons = dynamo.transact([payment_write(payment, change), dynamo.put_op(store.table(), refund)])
        if not reasons:
            return Refund.model_validate(refund)
        if reasons[1] == "ConditionalCheckFailed":  # this request ran before (see ids.derived_ids)
            return Refund.model_validate(store.get(refund_id))
        if reasons[0] == "ConditionalCheckFailed":  # the payment changed since it was read
            raise Stale
        raise Conflict("the refund could not be recorded; retry the request")

    return retrying(attempt, f"payment {payment_id}")


def _refund_item(
    refund_id: str, payment: dict[str, Any], amount: int, reason: str | None, now: str
) -> dict[str, Any]:
    refund = {
        "id": refund_id,
        "merchant_id": payment["merchant_id"],
        "mode": payment["mode"],
        "payment_id": payment["id"],
        "amount": amount,
        "currency": payment["currency"],
        "status": "pending",
        "reason": reason,
        "created_at": now,
        "updated_at": now,
    }
    return store.new_item("refund", refund, payment["id"])


def get_refund(principal: Principal, refund_id: str) -> Refund:
    return Refund.model_validate(owned(principal, "refund", refund_id))


def list_payment_refunds(principal: Principal, payment_id: str, limit: int, offset: int) -> RefundList:
    owned(principal, "payment", payment_id)
    page = store.list_children(payment_id, limit, offset)
    items = [Refund.model_validate(item) for item in page.items]
    return RefundList.of(items, page.has_more)


def list_refunds(principal: Principal, limit: int, offset: int) -> RefundList:
    """Every refund of the merchant and mode, newest first (gsi1 lists refunds as their own type)."""
    page = store.list_for_merchant(principal.merchant_id, principal.mode, "refund", limit, offset)
    return RefundList.of([Refund.model_validate(item) for item in page.items], page.has_more)


def process_refund(refund_id: str) -> str:
    """The refund job: mark it processed, once (a redelivered message finds it processed already)."""
    now = clock.iso_now()
    done = dynamo.update(
        store.change(
            refund_id,
            sets={"status": "processed", "processed_at": now, "updated_at": now},
            condition="#status = :pending",
            pending="pending",
        )
    )
    return "processed" if done else "unchanged"
