"""All DynamoDB access for orders, payment intents, payments and refunds: the payments table, an
``ObjectTable`` (see ``paygate.core.objects`` for the item and index layout)."""

from __future__ import annotations

from typing import Any

from paygate.core import dynamo
from paygate.core.objects import OWNED, ObjectTable
from paygate.core.settings import PaymentsTable

objects = ObjectTable(lambda: PaymentsTable.load().payments_table)

table = objects.table
key = objects.key
new_item = objects.new_item
get = objects.get
change = objects.change
list_for_merchant = objects.list_for_merchant
list_children = objects.list_children

__all__ = [
    "OWNED",
    "change",
    "get",
    "key",
    "list_children",
    "list_for_customer",
    "list_for_merchant",
    "new_item",
    "put_new",
    "table",
    "with_customer_keys",
]


def put_new(item: dict) -> bool:
    """Put a new object; False when its id exists already."""
    return objects.put_new(item)


def _customer_key(merchant_id: str, mode: str, customer_id: str) -> str:
    return f"CUSTOMER#{merchant_id}#{mode}#{customer_id}"


def with_customer_keys(item: dict[str, Any]) -> dict[str, Any]:
    """A new payment or refund item made for a customer, with its gsi3 keys: the customer's objects of
    one type (``gsi3sk = <type>#<created_at>#<id>``), newest first. Unchanged without a customer."""
    customer_id = item.get("customer")
    if not customer_id:
        return item
    return {
        **item,
        "gsi3pk": _customer_key(item["merchant_id"], item["mode"], customer_id),
        "gsi3sk": f"{item['type']}#{item['created_at']}#{item['id']}",
    }


def list_for_customer(
    merchant_id: str, mode: str, customer_id: str, kind: str, limit: int, offset: int
) -> dynamo.Page:
    """A customer's payments or refunds (``kind``), newest first. gsi3 projects keys only (it is
    written once, when the object is made): the items are read from the table."""
    page = dynamo.query_page(
        table(),
        "gsi3",
        "gsi3pk",
        _customer_key(merchant_id, mode, customer_id),
        limit=limit,
        offset=offset,
        sort_between=(f"{kind}#", f"{kind}#~"),
    )
    items = dynamo.batch_get(table(), [{"pk": e["pk"], "sk": e["sk"]} for e in page.items])
    return dynamo.Page(items, page.has_more)
