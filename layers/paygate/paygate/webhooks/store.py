"""All DynamoDB access for webhook endpoints and deliveries: the webhooks table, an ``ObjectTable``."""

from __future__ import annotations

from typing import Any

from paygate.core import dynamo
from paygate.core.objects import ObjectTable
from paygate.core.settings import WebhooksTable

objects = ObjectTable(lambda: WebhooksTable.load().webhooks_table)


def endpoints_of(merchant_id: str, mode: str) -> list[dict[str, Any]]:
    """Every endpoint of a merchant and mode (a merchant has a handful)."""
    return objects.list_for_merchant(merchant_id, mode, "endpoint", limit=100, offset=0).items


def delete(object_id: str) -> None:
    dynamo.client().delete_item(TableName=objects.table(), Key=dynamo.to_item(objects.key(object_id)))
