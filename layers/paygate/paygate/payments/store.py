"""All DynamoDB access for orders, payment intents, payments and refunds: the payments table, an
``ObjectTable`` (see ``paygate.core.objects`` for the item and index layout)."""

from __future__ import annotations

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
    "list_for_merchant",
    "new_item",
    "put_new",
    "table",
]


def put_new(item: dict) -> bool:
    """Put a new object; False when its id exists already."""
    return objects.put_new(item)
