"""All DynamoDB access for orders, payment intents, payments (and, via ``objects``, refunds).

One item per object: ``pk = <id>``, ``sk = "OBJ"``, ``type``, ``merchant_id``, ``mode``, ``version``.
gsi1 lists a merchant's objects of a type, newest first (``MERCHANT#<id>#<mode>#<type>``); gsi2 lists
the children of a parent (payments of an order or intent, refunds of a payment).
"""

from __future__ import annotations

from typing import Any

from paygate.core import dynamo
from paygate.core.settings import PaymentsTable

SK = "OBJ"
OWNED = "#merchant_id = :merchant_id AND #mode = :mode"


def table() -> str:
    return PaymentsTable.load().payments_table


def key(object_id: str) -> dict[str, str]:
    return {"pk": object_id, "sk": SK}


def new_item(kind: str, data: dict[str, Any], parent_id: str | None = None) -> dict[str, Any]:
    """The stored item for a new object: its data plus keys for both listings."""
    item = {
        **key(data["id"]),
        "type": kind,
        "version": 1,
        "gsi1pk": f"MERCHANT#{data['merchant_id']}#{data['mode']}#{kind}",
        "gsi1sk": f"{data['created_at']}#{data['id']}",
        **data,
    }
    if parent_id:
        item.update(gsi2pk=parent_id, gsi2sk=f"{data['created_at']}#{data['id']}")
    return item


def get(object_id: str) -> dict[str, Any] | None:
    return dynamo.get(table(), object_id, SK)


def put_new(item: dict[str, Any]) -> None:
    dynamo.client().put_item(**dynamo.put_op(table(), item)["Put"])


def change(
    object_id: str,
    sets: dict[str, Any],
    condition: str,
    add: dict[str, int] | None = None,
    **condition_values: Any,
) -> dict[str, Any]:
    """An Update for a transaction: ``sets`` plus a version bump, under ``condition``."""
    return dynamo.update_op(
        table(),
        key(object_id),
        sets=sets,
        add={"version": 1, **(add or {})},
        condition=condition,
        **condition_values,
    )


def list_for_merchant(
    merchant_id: str,
    mode: str,
    kind: str,
    limit: int,
    offset: int,
    created_between: tuple[str, str] | None = None,
    filters: dict[str, Any] | None = None,
) -> dynamo.Page:
    return dynamo.query_page(
        table(),
        "gsi1",
        "gsi1pk",
        f"MERCHANT#{merchant_id}#{mode}#{kind}",
        limit=limit,
        offset=offset,
        sort_between=created_between,
        filters=filters,
    )


def list_children(parent_id: str, limit: int, offset: int) -> dynamo.Page:
    return dynamo.query_page(table(), "gsi2", "gsi2pk", parent_id, limit=limit, offset=offset)
