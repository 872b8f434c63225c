"""Saved payment methods: create, read, update, attach to a customer, detach; and what the payment path
asks of them (``for_payment``) and a setup intent writes (``attach_op``). docs/payment-methods.md.

A card method holds the vault's token (``card_token``) and what may be shown (network, last4, expiry,
fingerprint, issuing country); the PAN is revealed only inside the vault's functions at authorization.
A detached method is dead: never attached or charged again, its vault card destroyed.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, Conflict, InvalidState, NotFound
from paygate.core.ids import new_id
from paygate.merchants.models import Principal
from paygate.payments import methods
from paygate.payments.models import CardIn
from paygate.payments.transitions import Stale, retrying
from paygate.vault import card_issuers, customer_link
from paygate.vault import methods_store as store
from paygate.vault import service as vault
from paygate.vault.methods_models import (
    PaymentMethod,
    PaymentMethodIn,
    PaymentMethodList,
    PaymentMethodUpdate,
)

PAGE_LIMIT = 100  # a customer's methods are read whole (filtered by type): far more than anyone saves


# --- creating ---------------------------------------------------------------------------------------
def sealed_card_facts(card: CardIn, merchant_id: str, mode: str) -> tuple[dict[str, Any], vault.SealedCard]:
    """The card sealed for the vault (its writes not yet run) and what the method shows of it."""
    sealed = vault.seal_card(card, merchant_id, mode)
    return card_facts(card, sealed), sealed


def card_facts(card: CardIn, sealed: vault.SealedCard) -> dict[str, Any]:
    """What a method shows of a card sealed for the vault."""
    number = card.number.get_secret_value()
    found = card_issuers.issuer(number, methods.card_network(number))
    return {
        "network": sealed.card.network,
        "last4": sealed.card.last4,
        "expiry_month": card.expiry_month,
        "expiry_year": card.expiry_year,
        "fingerprint": sealed.card.fingerprint,
        "country": found.country,
        "funding": found.funding,
        "holder_name": card.holder_name,
        "bin": number[:6],  # PCI DSS: the first six and the last four may be kept (risk rules read it)
    }


def new_item(
    merchant_id: str,
    mode: str,
    method_type: str,
    *,
    card: dict[str, Any] | None = None,
    card_token: str | None = None,
    vpa: str | None = None,
    billing_details: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    customer: str | None = None,
    mandate: dict[str, Any] | None = None,
) -> dict[str, Any]:
    now = clock.iso_now()
    data = {
        "id": new_id("pm"),
        "merchant_id": merchant_id,
        "mode": mode,
        "method_type": method_type,
        "card": card,
        "card_token": card_token,
        "upi": {"vpa": vpa} if vpa else None,
        "billing_details": billing_details or {},
        "metadata": metadata or {},
        "customer": customer,
        "mandate": mandate,
        "created_at": now,
        "updated_at": now,
    }
    return store.objects.new_item(store.KIND, data, parent_id=customer)


def create(principal: Principal, data: PaymentMethodIn) -> PaymentMethod:
    """A method from a card or a VPA, attached to ``data.customer`` when given (no mandate: off-session
    charges need one, from a setup intent). The card and the method are written in one transaction."""
    data.check_details()
    if data.customer:
        customer_link.require(data.customer, principal.merchant_id, principal.mode)
    sealed = None
    card = None
    if data.card is not None:
        card, sealed = sealed_card_facts(data.card, principal.merchant_id, principal.mode)
    item = new_item(
        principal.merchant_id,
        principal.mode,
        data.type,
        card=card,
        card_token=sealed.card.token if sealed else None,
        vpa=data.upi.vpa if data.upi else None,
        billing_details=data.billing_details.model_dump(exclude_none=True) if data.billing_details else None,
        metadata=data.metadata,
        customer=data.customer,
    )
    writes = [dynamo.put_op(store.objects.table(), item), *(sealed.writes if sealed else [])]
    reasons = dynamo.transact(writes)
    if reasons:
        if reasons[0] == "ConditionalCheckFailed" and (first := store.objects.get(item["id"])):
            return PaymentMethod.of(first)  # this request ran before (see ids.derived_ids)
        raise Conflict("the payment method could not be stored; retry the request")
    return PaymentMethod.of(item)


# --- reading and changing ---------------------------------------------------------------------------
def owned(principal: Principal, pm_id: str, field: str = "id") -> dict[str, Any]:
    item = store.owned(pm_id, principal.merchant_id, principal.mode)
    if item is None:
        raise NotFound(f"no payment method {pm_id}", field)
    return item


def get(principal: Principal, pm_id: str) -> PaymentMethod:
    return PaymentMethod.of(owned(principal, pm_id))


def _versioned(item: dict[str, Any], sets: dict[str, Any], extra: str = "") -> dict[str, Any]:
    condition = f"#version = :version AND {store.OWNED}{extra}"
    return store.objects.change(
        item["id"],
        {**sets, "updated_at": clock.iso_now()},
        condition,
        version=item["version"],
        merchant_id=item["merchant_id"],
        mode=item["mode"],
    )


def _write(item: dict[str, Any], sets: dict[str, Any]) -> dict[str, Any]:
    updated = dynamo.update(_versioned(item, sets))
    if updated is None:
        raise Stale
    return updated


def update(principal: Principal, pm_id: str, data: PaymentMethodUpdate) -> PaymentMethod:
    """A card's new expiry (also on the vault's card, which authorizations read), billing details,
    metadata (replaced whole). A detached method cannot be changed."""

    def attempt() -> PaymentMethod:
        item = owned(principal, pm_id)
        _alive(item)
        sets: dict[str, Any] = {}
        if data.card is not None:
            if item["method_type"] != "card":
                raise BadRequest("only a card payment method has an expiry", "card")
            month, year = data.card.expiry_month, data.card.expiry_year
            if not vault.update_expiry(item["card_token"], item["merchant_id"], item["mode"], month, year):
                raise Conflict(f"payment method {pm_id}'s card could not be updated; retry")
            sets["card"] = {**item["card"], "expiry_month": month, "expiry_year": year}
        if data.billing_details is not None:
            sets["billing_details"] = data.billing_details.model_dump(exclude_none=True)
        if data.metadata is not None:
            sets["metadata"] = data.metadata
        if not sets:
            return PaymentMethod.of(item)
        return PaymentMethod.of(_write(item, sets))

    return retrying(attempt, f"payment method {pm_id}")


def _alive(item: dict[str, Any]) -> None:
    if item.get("detached_at"):
        raise InvalidState(f"payment method {item['id']} was detached and cannot be used again", "id")


def attach(principal: Principal, pm_id: str, customer_id: str) -> PaymentMethod:
    """Attach to a customer (for on-session reuse; off-session charges need a setup intent's mandate).
    Attaching to the customer it is attached to already changes nothing."""
    customer_link.require(customer_id, principal.merchant_id, principal.mode)

    def attempt() -> PaymentMethod:
        item = owned(principal, pm_id)
        _alive(item)
        if item.get("customer") == customer_id:
            return PaymentMethod.of(item)
        if item.get("customer"):
            raise InvalidState(f"payment method {pm_id} is attached to another customer", "id")
        if item.get("used_at"):
            raise InvalidState(
                f"payment method {pm_id} was used without a customer; save it with a setup intent", "id"
            )
        return PaymentMethod.of(_write(item, _attached(item, customer_id)))

    return retrying(attempt, f"payment method {pm_id}")


def _attached(item: dict[str, Any], customer_id: str) -> dict[str, Any]:
    return {"customer": customer_id, "gsi2pk": customer_id, "gsi2sk": f"{clock.iso_now()}#{item['id']}"}


def attach_op(item: dict[str, Any], customer_id: str, mandate: dict[str, Any] | None) -> dict[str, Any]:
    """The write of a setup intent's success: attached to ``customer_id`` with the mandate, conditioned
    on the method still being alive and free or this customer's (another change, say its metadata, may
    have come in between: it does not matter here)."""
    return store.objects.change(
        item["id"],
        {**_attached(item, customer_id), "mandate": mandate, "updated_at": clock.iso_now()},
        "attribute_not_exists(#detached_at) AND (attribute_not_exists(#customer) OR #customer = :customer)",
        customer=customer_id,
    )


def mandate_of(acceptance: dict[str, Any] | None) -> dict[str, Any] | None:
    """A new active mandate recording ``acceptance`` ({type, online?}); None without one."""
    if acceptance is None:
        return None
    accepted = {**acceptance, "accepted_at": clock.iso_now()}
    return {"id": new_id("mandate"), "status": "active", "type": "multi_use", "customer_acceptance": accepted}


def to_save(
    owner: dict[str, Any], card: CardIn, sealed: vault.SealedCard, mandate: dict[str, Any] | None
) -> dict[str, Any]:
    """The method a payment's card becomes if the payment succeeds (``save_payment_method``): written
    with the payment, unattached, and attached to ``owner``'s customer by the success (``save_op``)."""
    item = new_item(
        owner["merchant_id"],
        owner["mode"],
        "card",
        card=card_facts(card, sealed),
        card_token=sealed.card.token,
    )
    return {**item, "save_for": {"customer": owner["customer"], "mandate": mandate}}


def save_op(pm_id: str) -> dict[str, Any] | None:
    """The write of a saving payment's success: its method attached as the payment asked."""
    item = store.objects.get(pm_id)
    if item is None or not item.get("save_for"):
        return None
    return attach_op(item, item["save_for"]["customer"], item["save_for"].get("mandate"))


def attached_item(item: dict[str, Any], customer_id: str, mandate: dict[str, Any] | None) -> dict[str, Any]:
    """A new method's item, attached from the start (a VPA saved by a setup intent)."""
    return {**item, **_attached(item, customer_id), "mandate": mandate}


def detach(principal: Principal, pm_id: str) -> PaymentMethod:
    """Detach from its customer, for good: the mandate ends, the vault card is destroyed, and the
    customer's default (if it was this) is cleared."""

    def attempt() -> dict[str, Any]:
        item = owned(principal, pm_id)
        _alive(item)
        customer = item.get("customer")
        if not customer:
            raise InvalidState(f"payment method {pm_id} is not attached to a customer", "id")
        mandate = item.get("mandate")
        sets = {
            "customer": None,
            "detached_at": clock.iso_now(),
            "gsi2pk": f"{store.DETACHED}{customer}",
            "mandate": {**mandate, "status": "inactive"} if mandate else None,
        }
        return {**_write(item, sets), "detached_from": customer}

    done = retrying(attempt, f"payment method {pm_id}")
    customer_link.forget_default(done["detached_from"], principal.merchant_id, principal.mode, pm_id)
    if done.get("card_token"):
        vault.destroy(done["card_token"], principal.merchant_id, principal.mode)
    return PaymentMethod.of(done)


def list_for_customer(
    principal: Principal, customer_id: str, method_type: str | None, limit: int, offset: int
) -> PaymentMethodList:
    customer_link.visible(customer_id, principal.merchant_id, principal.mode)
    page = store.objects.list_children(customer_id, PAGE_LIMIT, 0)
    items = [
        item
        for item in page.items
        if (item["merchant_id"], item["mode"]) == (principal.merchant_id, principal.mode)
        and item.get("customer") == customer_id
        and (method_type is None or item["method_type"] == method_type)
    ]
    chosen = items[offset : offset + limit]
    return PaymentMethodList.of([PaymentMethod.of(item) for item in chosen], len(items) > offset + limit)


def attached_to(pm_id: str, customer_id: str, merchant_id: str, mode: str) -> bool:
    """Whether ``pm_id`` is a live method of this customer (the customers context asks, for
    ``default_payment_method``)."""
    item = store.owned(pm_id, merchant_id, mode)
    return bool(item and item.get("customer") == customer_id and not item.get("detached_at"))


def cards_of(customer_id: str, merchant_id: str, mode: str) -> list[dict[str, Any]]:
    """A customer's live saved cards, newest first (the hosted checkout offers them)."""
    page = store.objects.list_children(customer_id, PAGE_LIMIT, 0)
    return [
        item
        for item in page.items
        if (item["merchant_id"], item["mode"]) == (merchant_id, mode)
        and item.get("customer") == customer_id
        and item["method_type"] == "card"
        and not item.get("detached_at")
    ]


# --- paying with a saved method ---------------------------------------------------------------------
def for_payment(
    pm_id: str, merchant_id: str, mode: str, customer_id: str | None, off_session: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The method a payment is made with, and the write that holds it in the payment's transaction:
    an attached method stays attached and alive (a condition check); a method without a customer is
    used once (Stripe: it is consumed). Raises 400s naming ``payment_method`` or ``off_session``."""
    item = store.owned(pm_id, merchant_id, mode)
    if item is None:
        raise BadRequest(f"no payment method {pm_id}", "payment_method")
    if item.get("detached_at"):
        raise BadRequest(f"payment method {pm_id} was detached and cannot be used", "payment_method")
    owner = item.get("customer")
    if owner and owner != customer_id:
        raise BadRequest(
            f"payment method {pm_id} belongs to a customer: the order or intent must be for that customer",
            "payment_method",
        )
    if off_session:
        if not owner:
            raise BadRequest("an off-session payment needs a method saved to the customer", "off_session")
        if (item.get("mandate") or {}).get("status") != "active":
            raise BadRequest(
                f"payment method {pm_id} has no active mandate: save it with a setup intent first",
                "off_session",
            )
    table, key = store.objects.table(), store.objects.key(pm_id)
    if owner:
        hold = {
            "ConditionCheck": {
                "TableName": table,
                "Key": dynamo.to_item(key),
                "ConditionExpression": "#customer = :customer AND attribute_not_exists(#detached_at)",
                "ExpressionAttributeNames": {"#customer": "customer", "#detached_at": "detached_at"},
                "ExpressionAttributeValues": dynamo.values(customer=owner),
            }
        }
    else:
        if item.get("used_at"):
            raise BadRequest(
                f"payment method {pm_id} was used already; attach it to a customer to reuse it",
                "payment_method",
            )
        hold = store.objects.change(
            pm_id,
            {"used_at": clock.iso_now()},
            "attribute_not_exists(#used_at) AND attribute_not_exists(#detached_at) "
            "AND attribute_not_exists(#customer)",
        )
    return item, hold


# --- privacy (docs/privacy.md) ----------------------------------------------------------------------
def every_of_customer(customer_id: str, merchant_id: str, mode: str) -> list[dict[str, Any]]:
    """Every method the customer ever had here, attached or detached, newest first (an export, an
    erasure). Read page after page: nothing is left out however many there are."""
    found: list[dict[str, Any]] = []
    for parent in (customer_id, f"{store.DETACHED}{customer_id}"):
        offset = 0
        while True:
            page = store.objects.list_children(parent, PAGE_LIMIT, offset)
            found += [i for i in page.items if (i["merchant_id"], i["mode"]) == (merchant_id, mode)]
            if not page.has_more:
                break
            offset += PAGE_LIMIT
    return sorted(found, key=lambda i: (i["created_at"], i["id"]), reverse=True)


def erase(item: dict[str, Any]) -> bool:
    """Erase a method: its vault card destroyed (PAN, holder name, CVC), then the method item deleted,
    conditioned on the version read (a racing change is read again; a racing payment's hold on the
    method fails, so that payment is refused). A method is the customer's data only: payments copy what
    they show of it. Re-runnable: a card gone already is no error. True if this call deleted it."""

    def attempt() -> bool:
        current = store.objects.get(item["id"])
        if current is None:
            return False
        if current.get("card_token"):
            vault.destroy(current["card_token"], current["merchant_id"], current["mode"])
        try:
            dynamo.client().delete_item(
                TableName=store.objects.table(),
                Key=dynamo.to_item(store.objects.key(current["id"])),
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues=dynamo.values(version=current["version"]),
            )
        except ClientError as exc:
            if dynamo.is_condition_failure(exc):
                raise Stale from exc
            raise
        return True

    return retrying(attempt, f"payment method {item['id']}")


def erase_method(pm_id: str, merchant_id: str, mode: str, customer_id: str) -> bool:
    """Erase ``pm_id`` if it is ``merchant_id``'s in ``mode`` and the customer's or nobody's (a method a
    payment of the customer used once, without a customer); another customer's method is left alone."""
    item = store.owned(pm_id, merchant_id, mode)
    if item is None:
        return False
    owners = {item.get("customer"), (item.get("save_for") or {}).get("customer")} - {None}
    if owners - {customer_id}:
        return False
    return erase(item)


def erase_for_customer(customer_id: str, merchant_id: str, mode: str) -> int:
    """Erase every method of the customer (attached or detached); how many this call deleted."""
    return sum(erase(item) for item in every_of_customer(customer_id, merchant_id, mode))
