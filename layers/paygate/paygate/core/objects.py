"""Object tables: one item per API object, listed per merchant and mode, and per parent.

An item is ``pk = <id>``, ``sk = "OBJ"``, ``type``, ``merchant_id``, ``mode``, ``version``. gsi1 lists a
merchant's objects of a type, newest first (``MERCHANT#<id>#<mode>#<type>``); gsi2 lists the
children of a parent (payments of an order, refunds of a payment). Every context with such objects
(payments, webhooks) gets an ``ObjectTable`` for its own table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paygate.core import dynamo

SK = "OBJ"
OWNED = "#merchant_id = :merchant_id AND #mode = :mode"


class ObjectTable:
    """``keys_only``: the table's indexes project only keys (``ProjectionType: KEYS_ONLY``), so a
    listing reads its page of keys from the index and the items themselves from the table (reads are
    cheap; an index that projects everything is rewritten on every change of an item)."""

    def __init__(self, table_name: Callable[[], str], keys_only: bool = False) -> None:
        self.table_name = table_name
        self.keys_only = keys_only

    def table(self) -> str:
        return self.table_name()

    @staticmethod
    def key(object_id: str) -> dict[str, str]:
        return {"pk": object_id, "sk": SK}

    @staticmethod
    def new_item(kind: str, data: dict[str, Any], parent_id: str | None = None) -> dict[str, Any]:
        """The stored item for a new object: its data plus keys for both listings."""
        item = {
            "pk": data["id"],
            "sk": SK,
            "type": kind,
            "version": 1,
            "gsi1pk": f"MERCHANT#{data['merchant_id']}#{data['mode']}#{kind}",
            "gsi1sk": f"{data['created_at']}#{data['id']}",
            **data,
        }
        if parent_id:
            item.update(gsi2pk=parent_id, gsi2sk=f"{data['created_at']}#{data['id']}")
        return item

    def get(self, object_id: str) -> dict[str, Any] | None:
        return dynamo.get(self.table(), object_id, SK)

    def owned(self, object_id: str, kind: str, merchant_id: str, mode: str) -> dict[str, Any] | None:
        """The object if it is a ``kind`` of this merchant and mode; None otherwise (another tenant's
        or mode's object is answered as if it did not exist)."""
        item = self.get(object_id) if object_id else None
        if (
            item is None
            or item.get("type") != kind
            or (item["merchant_id"], item["mode"]) != (merchant_id, mode)
        ):
            return None
        return item

    def delete(self, object_id: str) -> None:
        dynamo.client().delete_item(TableName=self.table(), Key=dynamo.to_item(self.key(object_id)))

    def put_new(self, item: dict[str, Any]) -> bool:
        """Put an item that must not exist yet; False when it already did."""
        return dynamo.put_if_absent(self.table(), item)

    def change(
        self,
        object_id: str,
        sets: dict[str, Any],
        condition: str,
        add: dict[str, int] | None = None,
        append: dict[str, list[Any]] | None = None,
        **condition_values: Any,
    ) -> dict[str, Any]:
        """An Update for a transaction (or ``dynamo.update``): ``sets`` plus a version bump."""
        return dynamo.update_op(
            self.table(),
            self.key(object_id),
            sets=sets,
            add={"version": 1, **(add or {})},
            append=append,
            condition=condition,
            **condition_values,
        )

    def list_for_merchant(
        self,
        merchant_id: str,
        mode: str,
        kind: str,
        limit: int,
        offset: int,
        created_between: tuple[str, str] | None = None,
        filters: dict[str, Any] | None = None,
    ) -> dynamo.Page:
        if filters and self.keys_only:
            raise ValueError("a keys-only index cannot filter on attributes it does not hold")
        return self.whole(
            dynamo.query_page(
                self.table(),
                "gsi1",
                "gsi1pk",
                f"MERCHANT#{merchant_id}#{mode}#{kind}",
                limit=limit,
                offset=offset,
                sort_between=created_between,
                filters=filters,
            )
        )

    def list_children(self, parent_id: str, limit: int, offset: int) -> dynamo.Page:
        return self.whole(
            dynamo.query_page(self.table(), "gsi2", "gsi2pk", parent_id, limit=limit, offset=offset)
        )

    def whole(self, page: dynamo.Page) -> dynamo.Page:
        """A page of index entries as whole items (keys-only indexes; an item deleted since the index
        was read is left out)."""
        if not self.keys_only:
            return page
        return dynamo.Page(self.whole_items(page.items), page.has_more)

    def whole_items(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not self.keys_only:
            return entries
        return dynamo.batch_get(self.table(), [{"pk": e["pk"], "sk": e["sk"]} for e in entries])
