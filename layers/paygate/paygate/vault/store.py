"""All DynamoDB access of the vault: its table (``VAULT_TABLE``).

A card is two items under one partition, ``CARD#<token>``: ``sk = CARD`` (the sealed PAN, expiry and
holder, kept) and ``sk = CVC`` (the sealed CVC, ``expires_at`` 15 minutes on: DynamoDB's TTL deletes it
lazily, so readers check the time too). One query reads both; the CVC item is deleted on its own.
"""

from __future__ import annotations

from typing import Any

from paygate.core import dynamo
from paygate.core.settings import VaultEnv

CARD = "CARD"
CVC = "CVC"


def table() -> str:
    return VaultEnv.load().vault_table


def partition(token: str) -> str:
    return f"CARD#{token}"


def put_ops(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """TransactWriteItems Puts of new items (refused if the key exists: a token is never reused)."""
    return [dynamo.put_op(table(), item) for item in items]


def items_of(token: str) -> dict[str, dict[str, Any]]:
    """The card's items by sort key (``CARD``, ``CVC``), read consistently in one query."""
    answer = dynamo.client().query(
        TableName=table(),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues=dynamo.values(pk=partition(token)),
        ConsistentRead=True,
    )
    return {item["sk"]: item for item in map(dynamo.from_item, answer.get("Items", []))}


def delete_cvc(token: str) -> None:
    """Idempotent: deleting an item that is gone is not an error."""
    dynamo.client().delete_item(TableName=table(), Key=dynamo.to_item({"pk": partition(token), "sk": CVC}))
