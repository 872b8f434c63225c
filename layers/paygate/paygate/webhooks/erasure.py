"""The Webhooks half of a customer's erasure (``EraseWebhookPii``, on ``customer.erased``):
docs/privacy.md.

Every delivery keeps the bytes it POSTs: the event's body, its own item (``EVENT#<id>`` /
``BODY#<merchant>#<mode>``, shared by the event's deliveries), or, for a delivery written before
bodies had their own item, the delivery item itself. An event concerns the customer when its ``data``
is the customer (``data.id``: ``customer.*``) or was made for it (``data.customer``: ``payment.*``,
``refund.*``, ``order.*``, intents). Such a body is rewritten with the personal data nulled — the
fields the owning contexts' erasures clear (``paygate.customers.service.PERSONAL_FIELDS``,
``paygate.payments.erasure.stripped``) — and everything else kept: ids, type, amounts, status, dates,
so the delivery log stays useful. A redelivery (a retry, a manual retry) then sends the redacted body.

The merchant's deliveries are read page by page through gsi1 (the only index by merchant; it holds
keys only), each event's body once. Each body is written once, conditioned on the bytes read, and
marked ``pii_erased_at``: a redelivered message or a second erase skips it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from paygate.core import clock
from paygate.webhooks import store

ERASED_MARK = "pii_erased_at"


def concerns(event: dict[str, Any], customer_id: str) -> bool:
    """Whether the event is the customer, or an object made for the customer."""
    data = event.get("data")
    if not isinstance(data, dict):
        return False
    return customer_id in (data.get("id"), data.get("customer"))


def redacted(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its object's personal data nulled (a new dict; ``event`` is left as it is)."""
    from paygate.customers.service import PERSONAL_FIELDS
    from paygate.payments.erasure import stripped

    kind = str(event.get("type", "")).split(".", 1)[0]
    data = copy.deepcopy(event["data"])
    if kind == "customer":
        data.update(dict.fromkeys(PERSONAL_FIELDS), metadata={})
    else:
        sets, _removes = stripped({**data, "type": kind})  # removes: stored-only attributes, not shown
        data.update(sets)
    return {**event, "data": data}


def _redacted_body(body: str, customer_id: str) -> str | None:
    """The redacted body, or None when the event does not concern the customer (or is not JSON)."""
    try:
        event = json.loads(body)
    except ValueError:
        return None
    if not isinstance(event, dict) or not concerns(event, customer_id):
        return None
    return json.dumps(redacted(event), separators=(",", ":"))


def erase_customer_pii(customer_id: str, merchant_id: str, mode: str) -> dict[str, int]:
    """Redact every stored event body of the merchant and mode that concerns the customer; then the
    webhooks part of the customer's erasure is marked done (the customers context's function).
    Returns the counts: deliveries read, bodies this call redacted."""
    from paygate.customers import service as customers

    seen: set[str] = set()
    read = redacted_now = 0
    for page in store.deliveries_of(merchant_id, mode):
        read += len(page)
        now = clock.iso_now()
        for delivery in page:
            if "body" in delivery and not delivery.get(ERASED_MARK):
                body = _redacted_body(str(delivery["body"]), customer_id)
                if body is not None:
                    redacted_now += store.replace_delivery_body(delivery, body, ERASED_MARK, now)
        new_events = sorted({d["event_id"] for d in page if "body" not in d} - seen)
        seen.update(new_events)
        for stored in store.stored_bodies(new_events, merchant_id, mode):
            if stored.get(ERASED_MARK):
                continue
            body = _redacted_body(stored["body"], customer_id)
            if body is not None:
                redacted_now += store.replace_body(stored, body, ERASED_MARK, now)
    customers.erasure_complete(customer_id, merchant_id, mode, "webhooks")
    return {"deliveries_read": read, "bodies_redacted": redacted_now}
