"""Refund use cases. The ceiling (non-failed refunds never exceed what was paid) is enforced by the
database, not by a read: the refund is written in one transaction with an update of the payment's
``amount_refunded`` conditioned on ``amount_refunded <= refundable - amount``. Concurrent refunds race
on that condition and the losers are refused; none can slip past it.
"""

from __future__ import annotations

from typing import Any

from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, Conflict, InvalidState
from paygate.core.ids import new_id
from paygate.merchants.models import Principal
from paygate.payments import store
from paygate.payments.access import owned, owner_values
from paygate.refunds.models import Refund, RefundIn, RefundList

REFUNDABLE = ("success", "captured")


def refundable_amount(payment: dict[str, Any]) -> int:
    """What can be refunded in total: the captured amount once captured, else the amount paid."""
    return payment["amount_captured"] if payment.get("captured") else payment["amount"]


def create_refund(principal: Principal, payment_id: str, data: RefundIn) -> Refund:
    payment = owned(principal, "payment", payment_id)
    refund_id = new_id("rfnd")
    try:
        if payment["status"] not in REFUNDABLE:
            raise InvalidState(
                f"payment {payment_id} is {payment['status']}; only successful payments refund", "id"
            )
        total = refundable_amount(payment)
        already = payment.get("amount_refunded", 0)
        amount = data.amount if data.amount is not None else total - already
        if amount > total - already:
            raise BadRequest(f"amount exceeds what is left to refund ({total - already})", "amount")
    except (InvalidState, BadRequest):
        if first := store.get(refund_id):  # this request ran before (see ids.derived_ids)
            return Refund.model_validate(first)
        raise
    now = clock.iso_now()
    refund = {
        "id": refund_id,
        "merchant_id": payment["merchant_id"],
        "mode": payment["mode"],
        "payment_id": payment_id,
        "amount": amount,
        "currency": payment["currency"],
        "status": "pending",
        "reason": data.reason,
        "created_at": now,
        "updated_at": now,
    }
    sets: dict[str, Any] = {"updated_at": now}
    if amount == total - already:
        # The condition below admits this refund only if amount_refunded is still `already`, so the
        # payment is then refunded in full.
        sets["status"] = "refunded"
    reserve = store.change(
        payment_id,
        sets=sets,
        add={"amount_refunded": amount},
        condition=f"#status IN (:success, :captured) AND #amount_refunded <= :limit AND {store.OWNED}",
        success="success",
        captured="captured",
        limit=total - amount,
        **owner_values(payment),
    )
    reasons = dynamo.transact(
        [reserve, dynamo.put_op(store.table(), store.new_item("refund", refund, payment_id))]
    )
    if reasons:
        if reasons[1] == "ConditionalCheckFailed":  # this request ran before (see ids.derived_ids)
            return Refund.model_validate(store.get(refund["id"]))
        if reasons[0] != "ConditionalCheckFailed":
            raise Conflict("the refund could not be recorded; retry the request")
        current = owned(principal, "payment", payment_id)
        if current["status"] not in REFUNDABLE:
            raise InvalidState(f"payment {payment_id} is {current['status']}; it cannot be refunded", "id")
        left = refundable_amount(current) - current.get("amount_refunded", 0)
        raise BadRequest(f"amount exceeds what is left to refund ({left})", "amount")
    return Refund.model_validate(refund)


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
