"""Payment intents (the Stripe-style surface). An intent is a parent of payments like an order is:
confirming it starts a payment through ``service.new_payment`` and the same processing workflow.

    requires_payment_method --confirm--> processing
    processing --success, automatic--> succeeded
    processing --success, manual--> requires_capture --capture--> succeeded
    processing --failure--> requires_payment_method (with last_payment_error)
    requires_payment_method | requires_capture --cancel--> canceled
"""

from __future__ import annotations

from typing import Any

from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, Conflict, InvalidState
from paygate.core.ids import new_id
from paygate.merchants.models import Principal
from paygate.payments import store
from paygate.payments.access import owned, owner_values
from paygate.payments.models import IntentCaptureIn, IntentIn, IntentList, MethodIn, PaymentIntent
from paygate.payments.service import new_payment

KIND = "payment_intent"


def create_intent(principal: Principal, data: IntentIn) -> PaymentIntent:
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
    intent = owned(principal, KIND, intent_id)
    payment = new_payment(intent, details, parent=("payment_intent_id", intent_id))
    try:
        _require(intent, "confirm", "requires_payment_method")
    except InvalidState:
        if store.get(payment["id"]) is not None:  # this request ran before (see ids.derived_ids)
            return PaymentIntent.model_validate(intent)
        raise
    sets = {
        "status": "processing",
        "latest_payment_id": payment["id"],
        "last_payment_error": None,
        "updated_at": payment["created_at"],
    }
    _commit(
        intent,
        "confirm",
        [
            dynamo.put_op(store.table(), payment),
            _intent_change(intent, sets, "requires_payment_method"),
        ],
    )
    return PaymentIntent.model_validate({**intent, **sets})


def capture_intent(principal: Principal, intent_id: str, data: IntentCaptureIn) -> PaymentIntent:
    intent = owned(principal, KIND, intent_id)
    _require(intent, "capture", "requires_capture")
    amount = data.amount_to_capture if data.amount_to_capture is not None else intent["amount"]
    if amount > intent["amount"]:
        raise BadRequest(f"amount_to_capture must be at most {intent['amount']}", "amount_to_capture")
    now = clock.iso_now()
    payment = store.change(
        intent["latest_payment_id"],
        sets={
            "status": "captured",
            "captured": True,
            "amount_captured": amount,
            "captured_at": now,
            "updated_at": now,
        },
        condition="#status = :success",
        success="success",
    )
    sets = {"status": "succeeded", "amount_received": amount, "amount_capturable": 0, "updated_at": now}
    _commit(intent, "capture", [payment, _intent_change(intent, sets, "requires_capture")])
    return PaymentIntent.model_validate({**intent, **sets})


def cancel_intent(principal: Principal, intent_id: str) -> PaymentIntent:
    intent = owned(principal, KIND, intent_id)
    _require(intent, "cancel", "requires_payment_method", "requires_capture")
    now = clock.iso_now()
    sets = {"status": "canceled", "canceled_at": now, "amount_capturable": 0, "updated_at": now}
    writes = [_intent_change(intent, sets, intent["status"])]
    if intent["status"] == "requires_capture":  # release the authorised, uncaptured payment
        writes.insert(
            0,
            store.change(
                intent["latest_payment_id"],
                sets={"status": "canceled", "updated_at": now},
                condition="#status = :success",
                success="success",
            ),
        )
    _commit(intent, "cancel", writes)
    return PaymentIntent.model_validate({**intent, **sets})


def _intent_change(intent: dict[str, Any], sets: dict[str, Any], expected: str) -> dict[str, Any]:
    return store.change(
        intent["id"],
        sets=sets,
        condition=f"#status = :expected AND {store.OWNED}",
        expected=expected,
        **owner_values(intent),
    )


def _commit(intent: dict[str, Any], action: str, writes: list[dict[str, Any]]) -> None:
    """Run the transaction; a lost race means the intent moved on: say which state it is in now."""
    if dynamo.transact(writes) is None:
        return
    current = store.get(intent["id"]) or intent
    if current["status"] != intent["status"]:
        raise InvalidState(f"payment intent {intent['id']} is {current['status']}; cannot {action}", "status")
    raise Conflict(f"the payment intent changed while it was being updated; retry the {action}")
