"""All DynamoDB access for merchants and API keys (the merchants table).

Items: ``MERCHANT#<id>/PROFILE`` (listed on gsi1 under ``MERCHANTS``), ``EMAIL#<email>/EMAIL`` (keeps
emails unique), ``APIKEY#<sha256(secret)>/APIKEY`` (one per key; carries the merchant's status so that
authenticating a request is a single GetItem).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from paygate.core import dynamo
from paygate.core.errors import Conflict, NotFound
from paygate.core.settings import MerchantsTable


def _table() -> str:
    return MerchantsTable.load().merchants_table


def merchant_key(merchant_id: str) -> dict[str, str]:
    return {"pk": f"MERCHANT#{merchant_id}", "sk": "PROFILE"}


def put_new_merchant(profile: dict[str, Any], keys: list[dict[str, Any]]) -> None:
    """Merchant, its email claim and its keys in one transaction: all of them or none."""
    table = _table()
    profile_item = {
        **merchant_key(profile["id"]),
        "type": "merchant",
        "gsi1pk": "MERCHANTS",
        "gsi1sk": f"{profile['created_at']}#{profile['id']}",
        "key_hashes": [k["secret_hash"] for k in keys],
        **profile,
    }
    writes: list[dict[str, Any]] = [
        dynamo.put_op(table, profile_item),
        dynamo.put_op(
            table, {"pk": f"EMAIL#{profile['email']}", "sk": "EMAIL", "merchant_id": profile["id"]}
        ),
    ]
    for key in keys:
        item = {
            "pk": f"APIKEY#{key['secret_hash']}",
            "sk": "APIKEY",
            "type": "api_key",
            "key_id": key["key_id"],
            "mode": key["mode"],
            "merchant_id": profile["id"],
            "status": profile["status"],
        }
        writes.append(dynamo.put_op(table, item))
    try:
        dynamo.client().transact_write_items(TransactItems=writes)
    except ClientError as exc:
        if "ConditionalCheckFailed" in dynamo.cancellation_reasons(exc):
            raise Conflict("a merchant with this email already exists", "email") from exc
        raise


def get_merchant(merchant_id: str) -> dict[str, Any] | None:
    key = merchant_key(merchant_id)
    return dynamo.get(_table(), key["pk"], key["sk"], consistent=False)


def get_api_key(secret_hash: str) -> dict[str, Any] | None:
    return dynamo.get(_table(), f"APIKEY#{secret_hash}", "APIKEY", consistent=False)


def list_merchants(limit: int, offset: int) -> dynamo.Page:
    return dynamo.query_page(_table(), "gsi1", "gsi1pk", "MERCHANTS", limit=limit, offset=offset)


def update_merchant(merchant_id: str, changes: dict[str, Any], key_hashes: list[str]) -> None:
    """Profile and, when the status changes, every key of the merchant in one transaction."""
    table = _table()
    names = {f"#{k}": k for k in changes}
    sets = ", ".join(f"#{k} = :{k}" for k in changes)
    writes: list[dict[str, Any]] = [
        {
            "Update": {
                "TableName": table,
                "Key": dynamo.to_item(merchant_key(merchant_id)),
                "UpdateExpression": f"SET {sets}",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": dynamo.values(**changes),
            }
        }
    ]
    if "status" in changes:
        for secret_hash in key_hashes:
            writes.append(
                {
                    "Update": {
                        "TableName": table,
                        "Key": dynamo.to_item({"pk": f"APIKEY#{secret_hash}", "sk": "APIKEY"}),
                        "UpdateExpression": "SET #status = :status",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": dynamo.values(status=changes["status"]),
                    }
                }
            )
    try:
        dynamo.client().transact_write_items(TransactItems=writes)
    except ClientError as exc:
        if "ConditionalCheckFailed" in dynamo.cancellation_reasons(exc):
            raise NotFound(f"no merchant {merchant_id}", "id") from exc
        raise
