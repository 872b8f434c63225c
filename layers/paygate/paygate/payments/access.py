"""Reading objects on behalf of a caller: another merchant's (or mode's) object is simply not found."""

from __future__ import annotations

from typing import Any

from paygate.core.errors import NotFound
from paygate.merchants.models import Principal
from paygate.payments import store

NAMES = {
    "order": "order",
    "payment": "payment",
    "payment_intent": "payment intent",
    "refund": "refund",
    "setup_intent": "setup intent",
}


def owned(principal: Principal | None, kind: str, object_id: str, field: str = "id") -> dict[str, Any]:
    """The stored item, if it is a ``kind`` and belongs to the caller's merchant and mode.

    ``principal=None`` is the public checkout surface: any object of the kind, by id.
    """
    item = store.get(object_id) if object_id else None
    if (
        item is None
        or item.get("type") != kind
        or (
            principal is not None
            and (item.get("merchant_id") != principal.merchant_id or item.get("mode") != principal.mode)
        )
    ):
        raise NotFound(f"no {NAMES[kind]} {object_id}", field)
    return item


def owner_values(item: dict[str, Any]) -> dict[str, Any]:
    """Condition values that pin a write to the object's merchant and mode (see ``store.OWNED``)."""
    return {"merchant_id": item["merchant_id"], "mode": item["mode"]}
