"""Orders and payments (the seed's Razorpay-style surface). Payment intents reuse ``start_payment``."""

from __future__ import annotations

from typing import Any

from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, Conflict, InvalidState
from paygate.core.ids import new_id
from paygate.merchants import service as merchants
from paygate.merchants.models import Principal
from paygate.payments import methods, store
from paygate.payments.access import owned, owner_values
from paygate.payments.models import (
    CaptureIn,
    MethodIn,
    Order,
    OrderIn,
    OrderList,
    Payment,
    PaymentIn,
    PaymentList,
    PublicOrder,
    PublicPayment,
)


def create_order(principal: Principal, data: OrderIn) -> Order:
    now = clock.iso_now()
    order = {
        "id": new_id("order"),
        "merchant_id": principal.merchant_id,
        "mode": principal.mode,
        "amount": data.amount,
        "amount_paid": 0,
        "amount_due": data.amount,
        "currency": data.currency,
        "receipt": data.receipt,
        "notes": data.notes,
        "status": "created",
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    if not store.put_new(store.new_item("order", order)):  # this request ran before (see ids.derived_ids)
        return Order.model_validate(store.get(order["id"]))
    return Order.model_validate(order)


def get_order(principal: Principal, order_id: str) -> Order:
    return Order.model_validate(owned(principal, "order", order_id))


def get_public_order(order_id: str) -> PublicOrder:
    order = owned(None, "order", order_id)
    merchant = merchants.get_merchant(order["merchant_id"])
    return PublicOrder(**order, merchant_name=merchant.name)


def list_orders(principal: Principal, limit: int, offset: int) -> OrderList:
    page = store.list_for_merchant(principal.merchant_id, principal.mode, "order", limit, offset)
    items = [Order.model_validate(item) for item in page.items]
    return OrderList.of(items, page.has_more)


def list_order_payments(principal: Principal, order_id: str, limit: int, offset: int) -> PaymentList:
    owned(principal, "order", order_id)
    return _payment_list(store.list_children(order_id, limit, offset))


def list_payments(
    principal: Principal,
    limit: int,
    offset: int,
    status: str | None = None,
    method: str | None = None,
    created_from: str | None = None,
    created_to: str | None = None,
) -> PaymentList:
    between = None
    if created_from or created_to:
        between = (created_from or "0", (created_to or "9999") + "~")
    filters = {name: value for name, value in (("status", status), ("method", method)) if value}
    page = store.list_for_merchant(
        principal.merchant_id, principal.mode, "payment", limit, offset, between, filters
    )
    return _payment_list(page)


def _payment_list(page: dynamo.Page) -> PaymentList:
    items = [Payment.model_validate(item) for item in page.items]
    return PaymentList.of(items, page.has_more)


def get_payment(principal: Principal, payment_id: str) -> Payment:
    return Payment.model_validate(owned(principal, "payment", payment_id))


def get_public_payment(payment_id: str) -> PublicPayment:
    return PublicPayment.model_validate(owned(None, "payment", payment_id))


def create_payment(principal: Principal | None, data: PaymentIn) -> Payment:
    """A payment on an order: ``pending`` now, decided later by the payment_processing workflow.

    ``principal=None`` is the public checkout: the order's own merchant and mode apply.
    """
    data.check_details()
    order = owned(principal, "order", data.order_id, field="order_id")
    payment = new_payment(order, data, parent=("order_id", order["id"]))
    if order["status"] == "paid":
        if first := store.get(payment["id"]):  # this request ran before and paid it (ids.derived_ids)
            return Payment.model_validate(first)
        raise InvalidState(f"order {order['id']} is already paid", "order_id")
    attempt = store.change(
        order["id"],
        sets={"status": "attempted", "updated_at": payment["updated_at"]},
        add={"attempts": 1},
        condition=f"#status <> :paid AND {store.OWNED}",
        paid="paid",
        **owner_values(order),
    )
    reasons = dynamo.transact([dynamo.put_op(store.table(), payment), attempt])
    if reasons:
        if reasons[0] == "ConditionalCheckFailed":  # this request ran before (see ids.derived_ids)
            return Payment.model_validate(store.get(payment["id"]))
        if reasons[1] == "ConditionalCheckFailed":
            raise InvalidState(f"order {order['id']} is already paid", "order_id")
        raise Conflict("the payment could not be recorded; retry the request")
    return Payment.model_validate(payment)


def new_payment(owner: dict[str, Any], details: MethodIn, parent: tuple[str, str]) -> dict[str, Any]:
    """The stored item of a new pending payment for ``owner`` (an order or an intent).

    Of a card only network, last4, expiry and holder name are kept: PAN and CVV end here.
    """
    now = clock.iso_now()
    card = None
    if details.card is not None:
        number = details.card.number.get_secret_value()
        card = {
            "network": methods.card_network(number),
            "last4": number[-4:],
            "expiry_month": details.card.expiry_month,
            "expiry_year": details.card.expiry_year,
            "holder_name": details.card.holder_name,
        }
    payment = {
        "id": new_id("pay"),
        "merchant_id": owner["merchant_id"],
        "mode": owner["mode"],
        parent[0]: parent[1],
        "amount": owner["amount"],
        "currency": owner["currency"],
        "status": "pending",
        "method": details.method,
        "vpa": details.vpa,
        "card": card,
        "captured": False,
        "amount_captured": 0,
        "amount_refunded": 0,
        "capture_method": owner.get("capture_method", "manual"),
        "created_at": now,
        "updated_at": now,
    }
    return store.new_item("payment", payment, parent_id=parent[1])


def capture_payment(principal: Principal, payment_id: str, data: CaptureIn) -> Payment:
    """Mark a successful payment captured, once. Intent payments are captured through their intent."""
    payment = owned(principal, "payment", payment_id)
    if payment.get("payment_intent_id"):
        raise InvalidState(
            f"payment {payment_id} belongs to {payment['payment_intent_id']}; capture the payment intent",
            "id",
        )
    if data.amount is not None and data.amount != payment["amount"]:
        raise BadRequest(f"amount must equal the payment amount {payment['amount']}", "amount")
    now = clock.iso_now()
    updated = dynamo.update(
        store.change(
            payment_id,
            sets={
                "status": "captured",
                "captured": True,
                "amount_captured": payment["amount"],
                "captured_at": now,
                "updated_at": now,
            },
            condition=f"#status = :success AND {store.OWNED}",
            success="success",
            **owner_values(payment),
        )
    )
    if updated is None:
        current = owned(principal, "payment", payment_id)
        raise InvalidState(
            f"payment {payment_id} is {current['status']}; only a successful payment can be captured",
            "id",
        )
    return Payment.model_validate(updated)
