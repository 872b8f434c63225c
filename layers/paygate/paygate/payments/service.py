"""Orders and payments (the seed's Razorpay-style surface). Payment intents reuse ``start_payment``."""

from __future__ import annotations

from typing import Any

from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, Conflict, InvalidState, MerchantUnavailable, TooManyAttempts
from paygate.core.ids import new_id
from paygate.customers import service as customers
from paygate.merchants import service as merchants
from paygate.merchants.models import Principal
from paygate.payments import checkout_limits, lifecycle, store
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
from paygate.payments.transitions import Stale, payment_write, retrying
from paygate.vault import payment_methods
from paygate.vault import service as vault

SHOWN_CARD = (
    "network",
    "last4",
    "expiry_month",
    "expiry_year",
    "holder_name",
    "fingerprint",
    "country",
    "funding",
    "bin",
)


def create_order(principal: Principal, data: OrderIn) -> Order:
    if data.customer:
        customers.check_chargeable(data.customer, principal.merchant_id, principal.mode)
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
        "customer": data.customer,
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
    customer = order.get("customer")
    cards = payment_methods.cards_of(customer, order["merchant_id"], order["mode"]) if customer else []
    return PublicOrder(
        **order,
        merchant_name=merchant.name,
        saved_cards=[{"id": card["id"], **card["card"]} for card in cards],
        can_save_card=bool(customer),
    )


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


def list_customer_payments(principal: Principal, customer_id: str, limit: int, offset: int) -> PaymentList:
    """The payments made for a customer (through its orders and intents), newest first."""
    customers.check_listable(customer_id, principal.merchant_id, principal.mode)
    return _payment_list(
        store.list_for_customer(principal.merchant_id, principal.mode, customer_id, "payment", limit, offset)
    )


def _payment_list(page: dynamo.Page) -> PaymentList:
    items = [Payment.model_validate(item) for item in page.items]
    return PaymentList.of(items, page.has_more)


def get_payment(principal: Principal, payment_id: str) -> Payment:
    return Payment.model_validate(owned(principal, "payment", payment_id))


def get_public_payment(payment_id: str) -> PublicPayment:
    return PublicPayment.model_validate(owned(None, "payment", payment_id))


def create_payment(
    principal: Principal | None, data: PaymentIn, client_ip: str | None = None, user_agent: str | None = None
) -> Payment:
    """A payment on an order: ``pending`` now, decided later by the payment_processing workflow.

    ``principal=None`` is the public checkout: the order's own merchant and mode apply, the merchant
    must be active, and the client (``client_ip``) is held to the checkout's limits
    (``checkout_limits``). Every caller is held to the order's attempt limit.
    """
    data.check_details()
    order = owned(principal, "order", data.order_id, field="order_id")
    payment_id = new_id("pay")
    if first := _ran_before(order, payment_id):
        return first
    if order.get("customer"):  # deleted since the order was made: not charged
        customers.check_chargeable(order["customer"], order["merchant_id"], order["mode"])
    throttle = None
    if principal is None:
        ensure_can_charge(order["merchant_id"])
        if client_ip:
            throttle = checkout_limits.client_key(client_ip)
            checkout_limits.admit(throttle)
    if principal is None and data.off_session:
        raise BadRequest("a checkout payment is on session", "off_session")
    saved, hold = saved_method(order, data)
    # the card is sealed only now that nothing above refused the request, and written with the payment
    sealed = sealed_card(order, data)
    payment = new_payment(order, data, ("order_id", order["id"]), payment_id, sealed, saved)
    saving = card_to_save(order, data, sealed, acceptance(principal, data, client_ip, user_agent))
    if saving:
        payment["save_method"] = saving[0]["Put"]["Item"]["id"]["S"]
    if throttle:
        payment["throttle_key"] = throttle
    if principal is None and client_ip:  # the payer's address, for risk rules (erased with the customer)
        payment["client_ip"] = client_ip
    attempt = store.change(
        order["id"],
        sets={"status": "attempted", "updated_at": payment["updated_at"]},
        add={"attempts": 1},
        condition=f"#status <> :paid AND #attempts < :most AND {store.OWNED}",
        paid="paid",
        most=checkout_limits.ORDER_ATTEMPTS,
        **owner_values(order),
    )
    writes = [dynamo.put_op(store.table(), payment), attempt, *vault_writes(sealed), *hold, *saving]
    reasons = dynamo.transact(writes)
    if reasons:
        if reasons[0] == "ConditionalCheckFailed":  # this request ran before (see ids.derived_ids)
            return Payment.model_validate(store.get(payment["id"]))
        if reasons[1] == "ConditionalCheckFailed":
            _refuse(store.get(order["id"]) or order)
        if hold and reasons[-1] == "ConditionalCheckFailed":
            raise BadRequest(
                f"payment method {data.payment_method} cannot be used any more", "payment_method"
            )
        raise Conflict("the payment could not be recorded; retry the request")
    return Payment.model_validate(payment)


def ensure_can_charge(merchant_id: str) -> None:
    """A suspended merchant takes no payment, from any path (the checkout here, processing later)."""
    if merchants.get_merchant(merchant_id).status != "active":
        raise MerchantUnavailable("this merchant cannot accept payments at the moment", "order_id")


def _ran_before(order: dict[str, Any], payment_id: str) -> Payment | None:
    """On a closed order, the answer of a first run of this request (see ids.derived_ids), if any;
    otherwise the reason the order takes no payment."""
    if order["status"] != "paid" and order.get("attempts", 0) < checkout_limits.ORDER_ATTEMPTS:
        return None
    if first := store.get(payment_id):
        return Payment.model_validate(first)
    _refuse(order)
    return None


def _refuse(order: dict[str, Any]) -> None:
    if order["status"] == "paid":
        raise InvalidState(f"order {order['id']} is already paid", "order_id")
    raise TooManyAttempts(
        f"order {order['id']} has had {checkout_limits.ORDER_ATTEMPTS} payment attempts; create a new order",
        "order_id",
        retry_after=None,
    )


def sealed_card(owner: dict[str, Any], details: MethodIn) -> vault.SealedCard | None:
    """A card payment's card, encrypted for the vault under ``owner``'s merchant and mode (one KMS
    GenerateDataKey), its writes not yet run: they commit in the payment's own transaction, so a
    vault card exists exactly when its payment does (docs/vault.md)."""
    if details.card is None:
        return None
    return vault.seal_card(details.card, owner["merchant_id"], owner["mode"])


def saved_method(
    owner: dict[str, Any], details: MethodIn
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The saved method a payment names (``payment_method``), checked for the owner's customer and
    ``off_session``, and the write that holds it in the payment's transaction (docs/payment-methods.md)."""
    if details.payment_method is None:
        return None, []
    item, hold = payment_methods.for_payment(
        details.payment_method,
        owner["merchant_id"],
        owner["mode"],
        owner.get("customer"),
        details.off_session,
    )
    return item, [hold]


def acceptance(
    principal: Principal | None, details: MethodIn, client_ip: str | None, user_agent: str | None
) -> dict[str, Any] | None:
    """The customer's acceptance of later charges of a card saved by this payment: at the checkout, the
    consent box ticked from this address and browser; through the API, the merchant's ``mandate_data``."""
    if not details.save_payment_method:
        return None
    if principal is None:
        if not (client_ip and user_agent):
            return None
        return {"type": "online", "online": {"ip_address": client_ip, "user_agent": user_agent[:500]}}
    if details.mandate_data is None:
        return None  # saved for on-session payments only
    return details.mandate_data.customer_acceptance.model_dump(exclude_none=True)


def card_to_save(
    owner: dict[str, Any], details: MethodIn, sealed: vault.SealedCard | None, accepted: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The Put of the method a card payment saves (``save_payment_method``), for its transaction."""
    if not details.save_payment_method:
        return []
    if not owner.get("customer"):
        raise BadRequest(
            "a card is saved to a customer: create the order or intent for one", "save_payment_method"
        )
    assert sealed is not None  # a card payment (MethodIn.check_details)
    item = payment_methods.to_save(owner, details.card, sealed, payment_methods.mandate_of(accepted))
    return [dynamo.put_op(payment_methods.store.objects.table(), item)]


def vault_writes(sealed: vault.SealedCard | None) -> list[dict[str, Any]]:
    """The vault's Puts, last in a payment's transaction (its cancellation reasons keep their places)."""
    return sealed.writes if sealed is not None else []


def new_payment(
    owner: dict[str, Any],
    details: MethodIn,
    parent: tuple[str, str],
    payment_id: str | None = None,
    sealed: vault.SealedCard | None = None,
    saved: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The stored item of a new pending payment ``payment_id`` for ``owner`` (an order or an intent).

    Of a card only network, last4, expiry and holder name are kept, and ``card_token``, the vault's
    token of the card ``sealed`` (``sealed_card``), which the attempt reveals: PAN and CVV end here.
    """
    now = clock.iso_now()
    card = None
    method, vpa, card_token = details.method, details.vpa, sealed.card.token if sealed is not None else None
    if saved is not None:  # a saved method: its card's token and shown facts, or its VPA
        method, vpa, card_token = (
            saved["method_type"],
            (saved.get("upi") or {}).get("vpa"),
            saved.get("card_token"),
        )
        if saved.get("card"):
            card = {name: saved["card"].get(name) for name in SHOWN_CARD}
    elif details.card is not None:
        if sealed is None:
            raise ValueError("a card payment's card must be sealed for the vault first (sealed_card)")
        card = payment_methods.card_facts(details.card, sealed)
    payment = {
        "id": payment_id or new_id("pay"),
        "merchant_id": owner["merchant_id"],
        "mode": owner["mode"],
        parent[0]: parent[1],
        "amount": owner["amount"],
        "currency": owner["currency"],
        "status": "pending",
        "method": method,
        "vpa": vpa,
        "wallet": details.wallet,  # a wallet payment's wallet (docs/connectors.md#wallets)
        "card": card,
        "card_token": card_token,
        "payment_method": details.payment_method,
        "off_session": details.off_session,
        "captured": False,
        "amount_captured": 0,
        "amount_refunded": 0,
        "capture_method": owner.get("capture_method", "manual"),
        "return_url": details.return_url,  # after a 3-D Secure challenge (payments/next_action.py)
        "customer": owner.get("customer"),  # the order's or intent's (docs/customers.md)
        "created_at": now,
        "updated_at": now,
    }
    return store.with_customer_keys(store.new_item("payment", payment, parent_id=parent[1]))


def capture_payment(principal: Principal, payment_id: str, data: CaptureIn) -> Payment:
    """Mark a successful order payment captured, once. Intent payments are captured through their
    intent (which also moves the intent)."""

    def attempt() -> Payment:
        payment = owned(principal, "payment", payment_id)
        if payment.get("payment_intent_id"):
            raise InvalidState(
                f"payment {payment_id} belongs to {payment['payment_intent_id']}; capture the payment intent",
                "id",
            )
        change = lifecycle.plan_capture(payment, data.amount, clock.iso_now())
        updated = dynamo.update(payment_write(payment, change))
        if updated is None:
            raise Stale
        return Payment.model_validate(updated)

    return retrying(attempt, f"payment {payment_id}")
