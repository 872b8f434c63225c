"""Payment intents (the Stripe-style surface). An intent is a parent of payments like an order is:
confirming it starts a payment through ``service.new_payment`` and the same processing workflow.

    requires_payment_method --confirm--> processing
    processing --success, automatic--> succeeded
    processing --success, manual--> requires_capture --capture--> succeeded
    processing --failure--> requires_payment_method (with last_payment_error)
    requires_payment_method | requires_capture --cancel--> canceled
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paygate.core import clock, dynamo
from paygate.core.errors import Conflict, InvalidState
from paygate.core.ids import new_id
from paygate.customers import service as customers
from paygate.merchants.models import Principal
from paygate.payments import lifecycle, provider_calls, store
from paygate.payments.access import owned
from paygate.payments.models import IntentCaptureIn, IntentIn, IntentList, MethodIn, PaymentIntent
from paygate.payments.service import (
    acceptance,
    card_to_save,
    new_payment,
    saved_method,
    sealed_card,
    vault_writes,
)
from paygate.payments.transitions import Stale, payment_write, pinned, retrying
from paygate.vault import service as vault

KIND = "payment_intent"


def create_intent(principal: Principal, data: IntentIn) -> PaymentIntent:
    if data.customer:
        customers.check_chargeable(data.customer, principal.merchant_id, principal.mode)
    now = clock.iso_now()
    intent = {
        "id": new_id("pi"),
        "merchant_id": principal.merchant_id,
        "mode": principal.mode,
        "amount": data.amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "currency": data.currency,
        "description": data.description,
        "metadata": data.metadata,
        "capture_method": data.capture_method,
        "status": "requires_payment_method",
        "customer": data.customer,
        "created_at": now,
        "updated_at": now,
    }
    if not store.put_new(store.new_item(KIND, intent)):  # this request ran before (see ids.derived_ids)
        return PaymentIntent.model_validate(store.get(intent["id"]))
    return PaymentIntent.model_validate(intent)


def get_intent(principal: Principal, intent_id: str) -> PaymentIntent:
    return PaymentIntent.model_validate(owned(principal, KIND, intent_id))


def list_intents(principal: Principal, limit: int, offset: int) -> IntentList:
    page = store.list_for_merchant(principal.merchant_id, principal.mode, KIND, limit, offset)
    items = [PaymentIntent.model_validate(item) for item in page.items]
    return IntentList.of(items, page.has_more)


def _require(intent: dict[str, Any], action: str, *allowed: str) -> None:
    if intent["status"] not in allowed:
        raise InvalidState(
            f"payment intent {intent['id']} is {intent['status']}; {action} needs {' or '.join(allowed)}",
            "status",
        )


def confirm_intent(principal: Principal, intent_id: str, details: MethodIn) -> PaymentIntent:
    details.check_details()
    payment_id = new_id("pay")  # once: a retried attempt (or a re-run request) makes the same payment
    sealed: list[vault.SealedCard | None] = []  # the card, sealed once, at the first confirmable read

    def attempt() -> PaymentIntent:
        intent = owned(principal, KIND, intent_id)
        try:
            _require(intent, "confirm", "requires_payment_method")
        except InvalidState:
            if store.get(payment_id) is not None:  # this request ran before (see ids.derived_ids)
                return PaymentIntent.model_validate(intent)
            raise
        if intent.get("customer"):  # deleted since the intent was made: not charged
            customers.check_chargeable(intent["customer"], intent["merchant_id"], intent["mode"])
        saved, hold = saved_method(intent, details)
        if not sealed:
            sealed.append(sealed_card(intent, details))
        payment = new_payment(intent, details, ("payment_intent_id", intent_id), payment_id, sealed[0], saved)
        saving = card_to_save(intent, details, sealed[0], acceptance(principal, details, None, None))
        if saving:
            payment["save_method"] = saving[0]["Put"]["Item"]["id"]["S"]
        sets = {
            "status": "processing",
            "latest_payment_id": payment["id"],
            "last_payment_error": None,
            "updated_at": payment["created_at"],
        }
        _commit(
            [
                dynamo.put_op(store.table(), payment),
                pinned(intent, sets),
                *vault_writes(sealed[0]),
                *hold,
                *saving,
            ]
        )
        return PaymentIntent.model_validate({**intent, **sets})

    return _retrying(attempt, intent_id)


def capture_intent(principal: Principal, intent_id: str, data: IntentCaptureIn) -> PaymentIntent:
    """Capture up to the authorized amount; the rest of the authorization is released. A payment a
    connector configuration authorized is captured at its provider first (then recorded)."""
    intent = owned(principal, KIND, intent_id)
    _require(intent, "capture", "requires_capture")
    payment = store.get(intent["latest_payment_id"])
    if payment is not None:
        change = lifecycle.plan_capture(payment, data.amount_to_capture, clock.iso_now())
        provider_calls.capture(payment, change.amount)

    def attempt() -> PaymentIntent:
        intent = owned(principal, KIND, intent_id)
        _require(intent, "capture", "requires_capture")
        payment = store.get(intent["latest_payment_id"])
        if payment is None:
            raise Conflict(f"payment intent {intent_id} has no payment to capture; retry the capture")
        now = clock.iso_now()
        change = lifecycle.plan_capture(payment, data.amount_to_capture, now)
        sets = {
            "status": "succeeded",
            "amount_received": change.amount,
            "amount_capturable": 0,
            "updated_at": now,
        }
        _commit([payment_write(payment, change), pinned(intent, sets)])
        return PaymentIntent.model_validate({**intent, **sets})

    return _retrying(attempt, intent_id)


def cancel_intent(principal: Principal, intent_id: str) -> PaymentIntent:
    """Cancel; an authorized payment is released (at its provider first, when a connector took it)."""
    intent = owned(principal, KIND, intent_id)
    _require(intent, "cancel", "requires_payment_method", "requires_capture")
    if intent["status"] == "requires_capture" and (payment := store.get(intent["latest_payment_id"])):
        lifecycle.plan_cancel(payment, clock.iso_now())
        provider_calls.void(payment)

    def attempt() -> PaymentIntent:
        intent = owned(principal, KIND, intent_id)
        _require(intent, "cancel", "requires_payment_method", "requires_capture")
        now = clock.iso_now()
        sets = {"status": "canceled", "canceled_at": now, "amount_capturable": 0, "updated_at": now}
        writes = [pinned(intent, sets)]
        if intent["status"] == "requires_capture":  # release the authorised, uncaptured payment
            payment = store.get(intent["latest_payment_id"])
            if payment is None:
                raise Conflict(f"payment intent {intent_id} has no payment to release; retry the cancel")
            writes.insert(0, payment_write(payment, lifecycle.plan_cancel(payment, now)))
        _commit(writes)
        return PaymentIntent.model_validate({**intent, **sets})

    return _retrying(attempt, intent_id)


def _retrying(attempt: Callable[[], PaymentIntent], intent_id: str) -> PaymentIntent:
    return retrying(attempt, f"payment intent {intent_id}")


def _commit(writes: list[dict[str, Any]]) -> None:
    """Run the transaction; a failed version condition means something moved on: read again."""
    reasons = dynamo.transact(writes)
    if reasons is None:
        return
    if "ConditionalCheckFailed" in reasons:
        raise Stale
    raise Conflict("the payment intent could not be updated; retry the request")
