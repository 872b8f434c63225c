"""All DynamoDB access for webhook endpoints and deliveries: the webhooks table, an ``ObjectTable``.

Besides the objects, one counter item per merchant and mode (``ENDPOINTS#<merchant>#<mode>``,
``COUNT``) holds how many endpoints exist: an endpoint is created in one transaction with the
counter's conditional increment (``endpoints < limit``) and deleted with its decrement, so concurrent
creates can never pass the limit (a count followed by a write could).

An event's body (the bytes every delivery of it POSTs) is its own item, ``EVENT#<event id>`` /
``BODY#<merchant>#<mode>``, written once per event and never again, zlib-compressed (a CloudEvent of
1.5-2 KB fits in one write unit). A delivery's item holds its state only, so the writes of each
attempt (claim, record) rewrite a small item. gsi1 projects keys only: listings read their items
from the table (docs/webhooks.md, "Storage and cost").
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any, Literal

from paygate.core import dynamo
from paygate.core.objects import ObjectTable
from paygate.core.settings import WebhooksTable

objects = ObjectTable(lambda: WebhooksTable.load().webhooks_table, keys_only=True)

ENDPOINT_LIMIT = 16  # per merchant and mode, as Stripe's
SUBSCRIBER_PAGE = 100  # endpoints per query page when reading an event's subscribers
COUNTER_SK = "COUNT"
CONDITION_FAILED = "ConditionalCheckFailed"


def _endpoints_query(merchant_id: str, mode: str) -> dict[str, Any]:
    return {
        "TableName": objects.table(),
        "IndexName": "gsi1",
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": "gsi1pk"},
        "ExpressionAttributeValues": dynamo.values(pk=f"MERCHANT#{merchant_id}#{mode}#endpoint"),
    }


def endpoints_of(merchant_id: str, mode: str, page_size: int = SUBSCRIBER_PAGE) -> list[dict[str, Any]]:
    """Every endpoint of a merchant and mode, newest first, reading page after page until the last."""
    request = {**_endpoints_query(merchant_id, mode), "ScanIndexForward": False, "Limit": page_size}
    found: list[dict[str, Any]] = []
    while True:
        answer = dynamo.client().query(**request)
        found += objects.whole_items([dynamo.from_item(item) for item in answer.get("Items", [])])
        if "LastEvaluatedKey" not in answer:
            return found
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


# --- event bodies ---------------------------------------------------------------------------------
def _body_key(event_id: str, merchant_id: str, mode: str) -> dict[str, str]:
    return {"pk": f"EVENT#{event_id}", "sk": f"BODY#{merchant_id}#{mode}"}


def put_body(event_id: str, merchant_id: str, mode: str, body: str) -> None:
    """Store an event's body once (a replayed event keeps the body stored first)."""
    compressed = zlib.compress(body.encode(), 9)
    dynamo.put_if_absent(objects.table(), {**_body_key(event_id, merchant_id, mode), "body_z": compressed})


def body_of(delivery: dict[str, Any]) -> str:
    """The bytes (as text) every attempt of ``delivery`` POSTs. A delivery written before bodies had
    their own item holds its body itself."""
    if "body" in delivery:
        return str(delivery["body"])
    key = _body_key(delivery["event_id"], delivery["merchant_id"], delivery["mode"])
    found = dynamo.get(objects.table(), key["pk"], key["sk"])
    if found is None:
        raise RuntimeError(f"no stored body for delivery {delivery['id']}")
    stored = found["body_z"]
    return zlib.decompress(getattr(stored, "value", stored)).decode()


def deliveries_of(
    merchant_id: str, mode: str, page_size: int = SUBSCRIBER_PAGE
) -> Iterator[list[dict[str, Any]]]:
    """Every delivery of a merchant and mode, a page of whole items at a time (gsi1 keys, then the
    items): how a privacy erasure finds the events it must look into (docs/privacy.md, its cost)."""
    request: dict[str, Any] = {
        "TableName": objects.table(),
        "IndexName": "gsi1",
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": "gsi1pk"},
        "ExpressionAttributeValues": dynamo.values(pk=f"MERCHANT#{merchant_id}#{mode}#delivery"),
        "Limit": page_size,
    }
    while True:
        answer = dynamo.client().query(**request)
        yield objects.whole_items([dynamo.from_item(item) for item in answer.get("Items", [])])
        if "LastEvaluatedKey" not in answer:
            return
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def stored_bodies(event_ids: list[str], merchant_id: str, mode: str) -> list[dict[str, Any]]:
    """The body items of these events of a merchant and mode (those that exist), each with
    ``event_id`` and its ``body`` as text; ``body_z`` is the stored bytes, for ``replace_body``."""
    keys = [_body_key(event_id, merchant_id, mode) for event_id in event_ids]
    found = dynamo.batch_get(objects.table(), keys)
    for item in found:
        stored = item["body_z"]
        item["event_id"] = item["pk"].removeprefix("EVENT#")
        item["body"] = zlib.decompress(getattr(stored, "value", stored)).decode()
    return found


def replace_body(stored: dict[str, Any], body: str, mark: str, at: str) -> bool:
    """Write ``body`` over an event's stored body (a privacy erasure), conditioned on the bytes read and
    on ``mark`` not being set yet (set to ``at`` with it); False when either changed."""
    op = dynamo.update_op(
        objects.table(),
        {"pk": stored["pk"], "sk": stored["sk"]},
        sets={"body_z": zlib.compress(body.encode(), 9), mark: at},
        condition=f"#body_z = :read AND attribute_not_exists(#{mark})",
        read=stored["body_z"],
    )
    return dynamo.update(op) is not None


def replace_delivery_body(delivery: dict[str, Any], body: str, mark: str, at: str) -> bool:
    """The same for a delivery written before bodies had their own item (it holds its body)."""
    condition = f"#body = :read AND attribute_not_exists(#{mark})"
    op = objects.change(delivery["id"], {"body": body, mark: at}, condition, read=delivery["body"])
    return dynamo.update(op) is not None


def _counter_key(merchant_id: str, mode: str) -> dict[str, str]:
    return {"pk": f"ENDPOINTS#{merchant_id}#{mode}", "sk": COUNTER_SK}


def _ensure_counter(merchant_id: str, mode: str) -> None:
    """Endpoints made before the counter existed: count them once into a new counter (a concurrent
    first create counts the same; only one counter is written, and every write waits for it)."""
    key = _counter_key(merchant_id, mode)
    if dynamo.get(objects.table(), key["pk"], key["sk"]) is not None:
        return
    request: dict[str, Any] = {**_endpoints_query(merchant_id, mode), "Select": "COUNT"}
    count = 0
    while True:
        answer = dynamo.client().query(**request)
        count += int(answer.get("Count", 0))
        if "LastEvaluatedKey" not in answer:
            break
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    dynamo.put_if_absent(objects.table(), {**key, "endpoints": count})


def insert_endpoint(
    item: dict[str, Any], limit: int = ENDPOINT_LIMIT
) -> Literal["created", "exists", "full"]:
    """Create an endpoint item and count it, unless the merchant's mode has ``limit`` already."""
    merchant_id, mode = item["merchant_id"], item["mode"]
    _ensure_counter(merchant_id, mode)
    reasons = dynamo.transact(
        [
            dynamo.update_op(
                objects.table(),
                _counter_key(merchant_id, mode),
                add={"endpoints": 1},
                condition="attribute_exists(pk) AND #endpoints < :limit",
                limit=limit,
            ),
            dynamo.put_op(objects.table(), item),
        ]
    )
    if reasons is None:
        return "created"
    if reasons[1] == CONDITION_FAILED:  # the same create run again (an Idempotency-Key retry)
        return "exists"
    if reasons[0] == CONDITION_FAILED:
        return "full"
    raise RuntimeError(f"endpoint not created: {reasons}")


def remove_endpoint(endpoint_id: str, merchant_id: str, mode: str) -> bool:
    """Delete an endpoint and uncount it; False when it was gone already."""
    _ensure_counter(merchant_id, mode)
    delete = {
        "Delete": {
            "TableName": objects.table(),
            "Key": dynamo.to_item(objects.key(endpoint_id)),
            "ConditionExpression": "attribute_exists(pk)",
        }
    }
    uncount = dynamo.update_op(
        objects.table(),
        _counter_key(merchant_id, mode),
        add={"endpoints": -1},
        condition="attribute_exists(pk) AND #endpoints > :zero",
        zero=0,
    )
    reasons = dynamo.transact([delete, uncount])
    if reasons is None:
        return True
    if reasons[0] == CONDITION_FAILED:
        return False
    return dynamo.transact([delete]) is None  # a counter already at 0 (it cannot go below)
