"""Refund use cases. The ceiling (refunds never exceed what was taken, see
``paygate.payments.lifecycle``) is enforced by the database, not by a read: the refund is written in
one transaction with an update of the payment's ``amount_refunded`` (and, when it reaches what was
taken, its status ``refunded``) conditioned on the payment's version being the one the plan was made
from. Concurrent refunds and captures race on that condition; the losers read again and plan again.
"""

from __future__ import annotations

from typing import Any

from paygate.connectors.base import Outcome
from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, Conflict, InvalidState, ProcessorUnavailable
from paygate.core.ids import new_id
from paygate.customers import service as customers
from paygate.merchants.models import Principal
from paygate.payments import lifecycle, provider_calls, provider_refs, store
from paygate.payments.access import owned
from paygate.payments.transitions import Stale, payment_write, pinned, retrying
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
        "customer": payment.get("customer"),  # the payment's (docs/customers.md)
        "created_at": now,
        "updated_at": now,
    }
    return store.with_customer_keys(store.new_item("refund", refund, payment["id"]))


def get_refund(principal: Principal, refund_id: str) -> Refund:
    return Refund.model_validate(owned(principal, "refund", refund_id))


def list_payment_refunds(principal: Principal, payment_id: str, limit: int, offset: int) -> RefundList:
    owned(principal, "payment", payment_id)
    page = store.list_children(payment_id, limit, offset)
    items = [Refund.model_validate(item) for item in page.items]
    return RefundList.of(items, page.has_more)


def list_customer_refunds(principal: Principal, customer_id: str, limit: int, offset: int) -> RefundList:
    """The refunds of a customer's payments, newest first."""
    customers.check_listable(customer_id, principal.merchant_id, principal.mode)
    merchant_id, mode = principal.merchant_id, principal.mode
    page = store.list_for_customer(merchant_id, mode, customer_id, "refund", limit, offset)
    return RefundList.of([Refund.model_validate(item) for item in page.items], page.has_more)


def list_refunds(principal: Principal, limit: int, offset: int) -> RefundList:
    """Every refund of the merchant and mode, newest first (gsi1 lists refunds as their own type)."""
    page = store.list_for_merchant(principal.merchant_id, principal.mode, "refund", limit, offset)
    return RefundList.of([Refund.model_validate(item) for item in page.items], page.has_more)


def process_refund(refund_id: str) -> str:
    """The refund job: ask the payment's processor (a payment a connector configuration took), then
    mark the refund processed, once (a redelivered message finds it decided already). The provider
    pending: it stays pending until the provider's webhook says (``provider_refs`` finds it). The
    provider refused: the refund fails and its amount is no longer refunded. No answer:
    ``ProcessorUnavailable`` and the queue delivers the message again (the same idempotency key)."""
    refund = store.get(refund_id)
    if refund is None or refund["status"] != "pending":
        return "unchanged"
    payment = store.get(refund["payment_id"]) or {}
    result = provider_calls.refund(payment, refund_id, int(refund["amount"]))
    if result is None or result.outcome is Outcome.SUCCEEDED:
        return mark_processed(refund_id, result.provider_reference if result else None, payment)
    if result.outcome is Outcome.PENDING:
        return _pending_at_provider(refund_id, result.provider_reference, payment)
    if result.outcome in (Outcome.PROCESSOR_ERROR_RETRYABLE, Outcome.UNKNOWN):
        raise ProcessorUnavailable(f"the processor did not answer the refund {refund_id}; retried")
    return fail_refund(refund_id, result.provider_code or result.outcome.value, result.provider_message or "")


def mark_processed(
    refund_id: str, provider_reference: str | None = None, payment: dict[str, Any] | None = None
) -> str:
    now = clock.iso_now()
    sets: dict[str, Any] = {"status": "processed", "processed_at": now, "updated_at": now}
    if provider_reference:
        sets["provider_reference"] = provider_reference
    return "processed" if _write(refund_id, sets, provider_reference, payment) else "unchanged"


def _pending_at_provider(refund_id: str, provider_reference: str | None, payment: dict[str, Any]) -> str:
    sets: dict[str, Any] = {"updated_at": clock.iso_now()}
    if provider_reference:
        sets["provider_reference"] = provider_reference
    return "pending" if _write(refund_id, sets, provider_reference, payment) else "unchanged"


def _write(
    refund_id: str, sets: dict[str, Any], provider_reference: str | None, payment: dict[str, Any] | None
) -> bool:
    """The refund's change while it is pending, with the provider's pointer in the same transaction
    when there is one; a plain update when not (a transaction costs twice the write units)."""
    change = store.change(refund_id, sets, "#status = :pending", pending="pending")
    pointers = _pointer(provider_reference, payment, refund_id)
    if not pointers:
        return dynamo.update(change) is not None
    return not dynamo.transact([change, *pointers])


def _pointer(
    provider_reference: str | None, payment: dict[str, Any] | None, refund_id: str
) -> list[dict[str, Any]]:
    ref = (payment or {}).get("connector")
    if not (provider_reference and ref):
        return []
    return [provider_refs.pointer_put(ref["merchant_connector_id"], provider_reference, "refund", refund_id)]


def failure_writes(
    refund: dict[str, Any], payment: dict[str, Any], code: str, message: str
) -> list[dict[str, Any]]:
    """The refund ``failed`` and the payment's ``amount_refunded`` giving its amount back, both
    conditioned on the versions read (a transaction's writes)."""
    now = clock.iso_now()
    change = lifecycle.plan_refund_reversal(payment, int(refund["amount"]), now)
    failed = {"status": "failed", "error_code": code, "error_description": message, "updated_at": now}
    return [pinned(refund, failed), payment_write(payment, change)]


def fail_refund(refund_id: str, code: str, message: str) -> str:
    """The processor refused the refund: it fails and its amount is refundable again, in one
    transaction (retried on a fresh read when either changed)."""

    def attempt() -> str:
        refund = store.get(refund_id)
        if refund is None or refund["status"] != "pending":
            return "unchanged"
        payment = store.get(refund["payment_id"])
        if payment is None:
            return "unchanged"
        if dynamo.transact(failure_writes(refund, payment, code, message)):
            raise Stale
        return "failed"

    return retrying(attempt, f"refund {refund_id}")
