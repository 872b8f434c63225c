"""Applying a verified provider event (``provider.event`` from the connectors context) to the payment
or refund it is about, once.

``ReceiveProviderWebhook`` (Connectors stack) verifies the provider's signature and puts the event on
the bus; ``ApplyProviderEvent`` (this module) finds the object through its pointer
(``provider_refs``) and makes the event's move, conditioned on the state it read, in ONE transaction
with the event's marker (``attribute_not_exists``): a replay finds the marker and changes nothing, and
a move and its marker can never be written one without the other.

    payment.succeeded   pending or requires_action payment -> success (record_outcome); decided: nothing
    payment.failed      pending or requires_action payment -> failed; success, uncaptured, unrefunded
                        -> failed (late failure: the provider reversed the authorization; the order is
                        payable again, the intent back to requires_payment_method)
    payment.captured    success, uncaptured -> captured (the event's amount, <= the authorization);
                        pending: not yet (raised, so SQS redelivers it after the outcome is recorded)
    refund.processed    pending refund -> processed
    refund.failed       pending refund -> failed, and its amount given back to the payment's
                        amount_refunded (the payment's version pinned)

Anything else (a state the move does not start from, an event kind that does not fit the object)
writes the marker alone, so a redelivery does not re-decide it. A reference with no pointer yet (the
webhook outran the attempt's write) raises ``PointerMissing``: the message returns to the queue and
comes back (then its DLQ). The merchants' events (payment.success, refund.processed...) follow from
the writes through the payments stream, like every other change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, InvalidState
from paygate.core.observability import logger
from paygate.payments import lifecycle, processing, provider_refs, store
from paygate.payments.transitions import Stale, payment_write, pinned, retrying
from paygate.refunds import service as refunds

DUPLICATE = "duplicate"
FAILED_DEFAULT = ("PAYMENT_FAILED", "the payment processor reported the payment failed")


class PointerMissing(Exception):
    """No pointer for the event's provider reference yet: retried through SQS redelivery."""


class NotYet(Exception):
    """The object is not in a state the event can apply to yet (a capture of a pending payment)."""


def apply(detail: dict[str, Any]) -> str:
    """What the event did: ``duplicate``, ``ignored``, or the move (``payment success`` ...)."""
    mca, event_id, kind = detail["merchant_connector_id"], detail["event_id"], detail["kind"]
    if kind == "ignored":
        return "ignored"
    if provider_refs.marker(mca, event_id) is not None:
        return DUPLICATE
    pointed = provider_refs.lookup(mca, detail.get("provider_reference") or "")
    if pointed is None:
        raise PointerMissing(f"no pointer for {detail.get('provider_reference')!r} of {mca} yet")
    object_kind, object_id = pointed
    return retrying(lambda: _apply_to(detail, object_kind, object_id), f"{object_kind} {object_id}")


def _apply_to(detail: dict[str, Any], object_kind: str, object_id: str) -> str:
    item = store.get(object_id)
    if (
        item is None
        or item.get("type") != object_kind
        or (item.get("merchant_id"), item.get("mode")) != (detail["merchant_id"], detail["mode"])
    ):
        # a pointer's key holds the configuration, so this is a bug or a deleted object: never a move
        logger.warning("provider event for an object not found", extra={"object_id": object_id})
        return _mark_only(detail, f"nothing: no {object_kind} {object_id} of this merchant and mode")
    move = MOVES.get((detail["kind"], object_kind))
    if move is None:
        return _mark_only(detail, f"nothing: {detail['kind']} does not apply to a {object_kind}")
    return move(detail, item)


def _marker(detail: dict[str, Any], applied: str) -> dict[str, Any]:
    return provider_refs.marker_put(
        detail["merchant_connector_id"], detail["event_id"], detail["kind"], applied
    )


def _mark_only(detail: dict[str, Any], applied: str) -> str:
    reasons = dynamo.transact([_marker(detail, applied)])
    return DUPLICATE if reasons else applied


def _commit(writes: list[dict[str, Any]], applied: str) -> str:
    """The move and its marker (last) in one transaction: a replay is ``duplicate``; any other failed
    condition means the objects changed since they were read (``Stale``: read and decide again)."""
    reasons = dynamo.transact(writes)
    if not reasons:
        return applied
    if reasons[-1] == "ConditionalCheckFailed":
        return DUPLICATE
    raise Stale


# --- payments ----------------------------------------------------------------------------------
UNDECIDED = ("pending", "requires_action")  # the provider's event decides (a 3-D Secure challenge too)


def _payment_succeeded(detail: dict[str, Any], payment: dict[str, Any]) -> str:
    if payment["status"] not in UNDECIDED:
        return _mark_only(detail, f"nothing: payment is {payment['status']}")
    marker = _marker(detail, "payment succeeded")
    return _recorded(processing.record_outcome(payment, True, also=[marker], expected=payment["status"]))


def _payment_failed(detail: dict[str, Any], payment: dict[str, Any]) -> str:
    error = (
        str(detail.get("provider_code") or FAILED_DEFAULT[0]),
        str(detail.get("provider_message") or FAILED_DEFAULT[1]),
    )
    if payment["status"] in UNDECIDED:
        marker = _marker(detail, "payment failed")
        return _recorded(
            processing.record_outcome(payment, False, error, also=[marker], expected=payment["status"])
        )
    if payment["status"] == "success" and not payment.get("captured") and not payment.get("amount_refunded"):
        return _late_failure(detail, payment, error)
    return _mark_only(detail, f"nothing: payment is {payment['status']}")


def _recorded(status: str) -> str:
    if status == "unchanged":  # decided since it was read: read again and decide again
        raise Stale
    return status if status == DUPLICATE else f"payment {status}"


def _late_failure(detail: dict[str, Any], payment: dict[str, Any], error: tuple[str, str]) -> str:
    """An authorization the provider reversed after it succeeded: the payment fails, and its parent
    takes a payment again (the order unpaid, the intent back to requires_payment_method)."""
    now = clock.iso_now()
    sets = {"status": "failed", "error_code": error[0], "error_description": error[1], "updated_at": now}
    writes = [pinned(payment, sets)]
    parent = _parent_of_late_failure(payment, error, now)
    if parent is None:
        return _mark_only(detail, "nothing: the payment's parent moved on")
    writes += [parent, _marker(detail, "payment failed after success")]
    return _commit(writes, "payment failed after success")


def _parent_of_late_failure(
    payment: dict[str, Any], error: tuple[str, str], now: str
) -> dict[str, Any] | None:
    intent_id, order_id = payment.get("payment_intent_id"), payment.get("order_id")
    parent = store.get(intent_id or order_id or "")
    if parent is None:
        return None
    if intent_id:
        if parent["status"] != "requires_capture" or parent.get("latest_payment_id") != payment["id"]:
            return None
        return pinned(
            parent,
            {
                "status": "requires_payment_method",
                "amount_capturable": 0,
                "last_payment_error": {"code": error[0], "message": error[1], "payment_id": payment["id"]},
                "updated_at": now,
            },
        )
    if parent["status"] != "paid":
        return None
    return pinned(
        parent,
        {"status": "attempted", "amount_paid": 0, "amount_due": parent["amount"], "updated_at": now},
    )


def _payment_captured(detail: dict[str, Any], payment: dict[str, Any]) -> str:
    if payment["status"] == "pending":
        raise NotYet(f"payment {payment['id']} is pending: its capture applies once it has succeeded")
    if payment["status"] != "success" or payment.get("captured"):
        return _mark_only(detail, f"nothing: payment is {payment['status']}")
    now = clock.iso_now()
    intent_payment = lifecycle.is_intent_payment(payment)
    amount = detail.get("amount")
    try:
        # an intent's payment may be captured in part; an order's is captured whole (seed contract)
        change = lifecycle.plan_capture(payment, int(amount) if intent_payment and amount else None, now)
        if not intent_payment and amount is not None and int(amount) != int(payment["amount"]):
            raise BadRequest(f"amount must equal the payment amount {payment['amount']}", "amount")
    except (InvalidState, BadRequest) as refused:
        return _mark_only(detail, f"nothing: {refused.description}")
    writes = [payment_write(payment, change)]
    if intent_payment:
        intent = store.get(payment["payment_intent_id"])
        if intent is None or intent["status"] != "requires_capture":
            return _mark_only(detail, "nothing: the payment intent is not awaiting a capture")
        sets = {
            "status": "succeeded",
            "amount_received": change.amount,
            "amount_capturable": 0,
            "updated_at": now,
        }
        writes.append(pinned(intent, sets))
    writes.append(_marker(detail, "payment captured"))
    return _commit(writes, "payment captured")


# --- refunds -----------------------------------------------------------------------------------
def _refund_processed(detail: dict[str, Any], refund: dict[str, Any]) -> str:
    if refund["status"] != "pending":
        return _mark_only(detail, f"nothing: refund is {refund['status']}")
    now = clock.iso_now()
    sets = {"status": "processed", "processed_at": now, "updated_at": now}
    return _commit([pinned(refund, sets), _marker(detail, "refund processed")], "refund processed")


def _refund_failed(detail: dict[str, Any], refund: dict[str, Any]) -> str:
    if refund["status"] != "pending":
        return _mark_only(detail, f"nothing: refund is {refund['status']}")
    payment = store.get(refund["payment_id"])
    amount = int(refund["amount"])
    if payment is None or int(payment.get("amount_refunded", 0)) < amount:
        logger.error("a failed refund's payment does not hold its amount", extra={"refund_id": refund["id"]})
        return _mark_only(detail, "nothing: the payment does not hold this refund's amount")
    code = detail.get("provider_code") or "REFUND_FAILED"
    message = detail.get("provider_message") or "the payment processor reported the refund failed"
    writes = [*refunds.failure_writes(refund, payment, code, message), _marker(detail, "refund failed")]
    return _commit(writes, "refund failed")


MOVES: dict[tuple[str, str], Callable[[dict[str, Any], dict[str, Any]], str]] = {
    ("payment.succeeded", "payment"): _payment_succeeded,
    ("payment.failed", "payment"): _payment_failed,
    ("payment.captured", "payment"): _payment_captured,
    ("refund.processed", "refund"): _refund_processed,
    ("refund.failed", "refund"): _refund_failed,
}
