"""All DynamoDB access for merchants and API keys (the merchants table).

Items: ``MERCHANT#<id>/PROFILE`` (listed on gsi1 under ``MERCHANTS``; ``key_hashes`` lists the hashes
of its current keys, one per mode; ``password_hash`` is argon2id; the own webhook's URL and secret per
mode, see ``paygate.merchants.own_webhook``; ``session_epoch`` counts password changes and
suspensions, which end dashboard sessions), ``EMAIL#<email>/EMAIL`` (keeps
emails unique, and finds the merchant at dashboard login), ``APIKEY#<sha256(secret)>/APIKEY`` (one per
key; carries the merchant's status so that authenticating a request is a single GetItem). Dashboard
sessions live in this table too (``paygate.dashboard.store``).
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
        writes.append(dynamo.put_op(table, api_key_item(profile["id"], profile["status"], key)))
    try:
        dynamo.client().transact_write_items(TransactItems=writes)
    except ClientError as exc:
        if "ConditionalCheckFailed" in dynamo.cancellation_reasons(exc):
            raise Conflict("a merchant with this email already exists", "email") from exc
        raise


def api_key_item(merchant_id: str, status: str, key: dict[str, Any]) -> dict[str, Any]:
    return {
        "pk": f"APIKEY#{key['secret_hash']}",
        "sk": "APIKEY",
        "type": "api_key",
        "key_id": key["key_id"],
        "mode": key["mode"],
        "merchant_id": merchant_id,
        "status": status,
        "created_at": key.get("created_at"),
    }


def get_merchant(merchant_id: str) -> dict[str, Any] | None:
    key = merchant_key(merchant_id)
    return dynamo.get(_table(), key["pk"], key["sk"], consistent=False)


def get_api_key(secret_hash: str) -> dict[str, Any] | None:
    return dynamo.get(_table(), f"APIKEY#{secret_hash}", "APIKEY", consistent=False)


def get_api_keys(secret_hashes: list[str]) -> list[dict[str, Any]]:
    """The key items of these hashes (a merchant has one per mode), strongly consistent."""
    return [
        found
        for found in (dynamo.get(_table(), f"APIKEY#{h}", "APIKEY") for h in secret_hashes)
        if found is not None
    ]


def merchant_id_for_email(email: str) -> str | None:
    found = dynamo.get(_table(), f"EMAIL#{email}", "EMAIL", consistent=False)
    return found["merchant_id"] if found else None


def replace_api_key(profile: dict[str, Any], old_hash: str, new_key: dict[str, Any], updated_at: str) -> None:
    """One transaction: the old key item goes, the new one comes, the profile's ``key_hashes`` follows.

    The profile update is conditioned on ``key_hashes`` being exactly what was read (element by
    element) and on the status read, so a concurrent regeneration or suspension makes this one fail
    instead of leaving a key the profile does not list (a suspension would then miss it).
    """
    table = _table()
    hashes: list[str] = profile.get("key_hashes", [])
    new_hashes = [new_key["secret_hash"] if h == old_hash else h for h in hashes]
    same = " AND ".join(f"key_hashes[{i}] = :h{i}" for i in range(len(hashes)))
    writes: list[dict[str, Any]] = [
        {
            "Delete": {
                "TableName": table,
                "Key": dynamo.to_item({"pk": f"APIKEY#{old_hash}", "sk": "APIKEY"}),
                "ConditionExpression": "merchant_id = :merchant_id",
                "ExpressionAttributeValues": dynamo.values(merchant_id=profile["id"]),
            }
        },
        dynamo.put_op(table, api_key_item(profile["id"], profile["status"], new_key)),
        {
            "Update": {
                "TableName": table,
                "Key": dynamo.to_item(merchant_key(profile["id"])),
                "UpdateExpression": "SET key_hashes = :new_hashes, updated_at = :updated_at",
                "ConditionExpression": f"#status = :status AND size(key_hashes) = :count AND {same}",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": dynamo.values(
                    new_hashes=new_hashes,
                    updated_at=updated_at,
                    status=profile["status"],
                    count=len(hashes),
                    **{f"h{i}": h for i, h in enumerate(hashes)},
                ),
            }
        },
    ]
    reasons = dynamo.transact(writes)
    if reasons:
        raise Conflict("the API keys changed meanwhile; retry the request")


def list_merchants(limit: int, offset: int) -> dynamo.Page:
    return dynamo.query_page(_table(), "gsi1", "gsi1pk", "MERCHANTS", limit=limit, offset=offset)


def update_merchant(
    merchant_id: str,
    changes: dict[str, Any],
    key_hashes: list[str],
    *,
    unless_set: dict[str, Any] | None = None,
    end_sessions: bool = False,
) -> None:
    """Profile and, when the status changes, every key of the merchant in one transaction.

    ``unless_set``: attributes written only where the profile has none yet (a mode's webhook secret,
    minted with the first URL of a profile older than per-mode settings). ``end_sessions`` moves the
    profile's ``session_epoch`` on, in the same write: every dashboard session started before it ends
    (``paygate.dashboard.sessions`` compares the epoch on each request).
    """
    table = _table()
    writes: list[dict[str, Any]] = [_profile_update(merchant_id, changes, unless_set or {}, end_sessions)]
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


def update_profile(merchant_id: str, changes: dict[str, Any], unless_set: dict[str, Any]) -> dict[str, Any]:
    """One UpdateItem of the profile alone (as ``update_merchant``); the profile as written."""
    updated = dynamo.update(_profile_update(merchant_id, changes, unless_set, end_sessions=False))
    if updated is None:
        raise NotFound(f"no merchant {merchant_id}", "id")
    return updated


def _profile_update(
    merchant_id: str, changes: dict[str, Any], unless_set: dict[str, Any], end_sessions: bool
) -> dict[str, Any]:
    names = {f"#{k}": k for k in [*changes, *unless_set]}
    assignments = [f"#{k} = :{k}" for k in changes] + [
        f"#{k} = if_not_exists(#{k}, :{k})" for k in unless_set
    ]
    expression = f"SET {', '.join(assignments)}"
    extra: dict[str, Any] = {}
    if end_sessions:
        expression += " ADD #session_epoch :one"
        names["#session_epoch"] = "session_epoch"
        extra["one"] = 1
    return {
        "Update": {
            "TableName": _table(),
            "Key": dynamo.to_item(merchant_key(merchant_id)),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": dynamo.values(**changes, **unless_set, **extra),
        }
    }
