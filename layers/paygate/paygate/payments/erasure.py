"""A customer's objects in the payments table, read whole (the privacy export) and stripped of personal
data (the erasure's Payments half, ``ErasePaymentsPii``): docs/privacy.md.

Payments and refunds are found through gsi3 (the customer's objects); orders, payment intents and setup
intents carry no gsi3 keys, so they are read from the merchant's listing of their type (gsi1, which
projects every attribute) filtered on ``customer`` — a read of the merchant's objects of that type in
the mode, acceptable for a rare background job (docs/privacy.md says what would make it cheaper).

What an erasure keeps: ids, amounts, currency, status, dates, the card's network, last4 and expiry —
the merchant's figures and the legal record. What goes: the card's holder name, the VPA, the vault's
card (``card_token``), and the merchant's free text on objects made for the customer (order ``receipt``
and ``notes``, intent and setup-intent ``description`` and ``metadata``, a refund's ``reason``), the IP
address and user agent of a setup intent's mandate, and any payment method a payment used once. Each
object is written once, conditioned on the version read, and marked ``pii_erased_at``: a re-run (the
queue redelivers, the merchant erases twice) skips it, and a status write racing the erasure is read
again. A status change is never made here, so no ``payment.*`` event and no dashboard counter moves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from paygate.core import clock, dynamo
from paygate.payments import store
from paygate.payments.transitions import Stale, retrying

FOUND_BY_CUSTOMER_INDEX = ("payment", "refund")
FOUND_BY_MERCHANT_LISTING = ("order", "payment_intent", "setup_intent")
ERASED_MARK = "pii_erased_at"
PAGE = 200


def _customer_key(merchant_id: str, mode: str, customer_id: str) -> str:
    return f"CUSTOMER#{merchant_id}#{mode}#{customer_id}"


def _query(request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    request = {**request, "Limit": PAGE}
    while True:
        answer = dynamo.client().query(**request)
        yield from (dynamo.from_item(i) for i in answer.get("Items", []))
        if "LastEvaluatedKey" not in answer:
            return
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def customer_objects(customer_id: str, merchant_id: str, mode: str, kind: str) -> list[dict[str, Any]]:
    """Every ``kind`` object (payment, refund, order, payment_intent, setup_intent) made for the
    customer, newest first, read whole."""
    if kind in FOUND_BY_CUSTOMER_INDEX:
        entries = _query(
            {
                "TableName": store.table(),
                "IndexName": "gsi3",
                "KeyConditionExpression": "gsi3pk = :pk AND begins_with(gsi3sk, :kind)",
                "ExpressionAttributeValues": dynamo.values(
                    pk=_customer_key(merchant_id, mode, customer_id), kind=f"{kind}#"
                ),
                "ScanIndexForward": False,
            }
        )
        return dynamo.batch_get(store.table(), [{"pk": e["pk"], "sk": e["sk"]} for e in entries])
    return list(
        _query(
            {
                "TableName": store.table(),
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :pk",
                "FilterExpression": "#customer = :customer",
                "ExpressionAttributeNames": {"#customer": "customer"},
                "ExpressionAttributeValues": dynamo.values(
                    pk=f"MERCHANT#{merchant_id}#{mode}#{kind}", customer=customer_id
                ),
                "ScanIndexForward": False,
            }
        )
    )


def stripped(item: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What an object's erasure sets, and the attributes it removes (also applied to the object as
    the API shows it, in a stored webhook event: ``paygate.webhooks.erasure``)."""
    kind = item["type"]
    sets: dict[str, Any] = {}
    removes: list[str] = []
    if kind == "payment":
        if item.get("card"):
            sets["card"] = {**item["card"], "holder_name": None}
        if item.get("vpa"):
            sets["vpa"] = None
        if item.get("card_token"):
            removes.append("card_token")
        if item.get("client_ip"):
            removes.append("client_ip")
    elif kind == "refund":
        sets["reason"] = None
    elif kind == "order":
        sets.update(receipt=None, notes={})
    elif kind in ("payment_intent", "setup_intent"):
        sets.update(description=None, metadata={})
        mandate = item.get("mandate")
        if mandate and (mandate.get("customer_acceptance") or {}).get("online"):
            sets["mandate"] = {
                **mandate,
                "customer_acceptance": {**mandate["customer_acceptance"], "online": None},
            }
    return sets, removes


def erase_object(item: dict[str, Any]) -> bool:
    """Strip one object of personal data (see the module); True if this call wrote it."""
    from paygate.risk import service as risk
    from paygate.vault import payment_methods
    from paygate.vault import service as vault

    def attempt() -> bool:
        current = store.get(item["id"])
        if current is None or current.get(ERASED_MARK):
            return False
        sets, removes = stripped(current)
        if current.get("card_token"):  # the card typed for this payment, sealed in the vault
            vault.destroy(current["card_token"], current["merchant_id"], current["mode"])
        if current["type"] == "payment" and current.get("risk"):  # its risk assessment's facts
            risk.erase_payment(current["merchant_id"], current["mode"], current["id"])
        if current.get("payment_method") and current.get("customer"):
            payment_methods.erase_method(
                current["payment_method"], current["merchant_id"], current["mode"], current["customer"]
            )
        now = clock.iso_now()
        op = store.change(
            current["id"], {**sets, ERASED_MARK: now}, "#version = :version", version=current["version"]
        )
        if removes:
            update = op["Update"]
            update["UpdateExpression"] += " REMOVE " + ", ".join(f"#rm{i}" for i in range(len(removes)))
            update["ExpressionAttributeNames"].update({f"#rm{i}": name for i, name in enumerate(removes)})
        if dynamo.update(op) is None:
            raise Stale
        return True

    return retrying(attempt, f"{item['type']} {item['id']}")


def erase_customer_pii(customer_id: str, merchant_id: str, mode: str) -> dict[str, int]:
    """Strip every object made for the customer; counts of the objects this call wrote, by type.
    Then the payments part of the customer's erasure is marked done (its context's function, through
    the layer; complete once the Webhooks context's part is done too)."""
    from paygate.customers import service as customers

    done: dict[str, int] = {}
    for kind in (*FOUND_BY_CUSTOMER_INDEX, *FOUND_BY_MERCHANT_LISTING):
        done[kind] = sum(erase_object(i) for i in customer_objects(customer_id, merchant_id, mode, kind))
    customers.erasure_complete(customer_id, merchant_id, mode, "payments")
    return done
