"""All DynamoDB access of the vault: its table (``VAULT_TABLE``).

- A card is two items under one partition, ``CARD#<token>``: ``sk = CARD`` (the sealed PAN and holder;
  network, last4, expiry, fingerprint and the key version in clear) and ``sk = CVC`` (the sealed CVC,
  ``expires_at`` 15 minutes on: DynamoDB's TTL deletes it lazily, so readers check the time too).
- A key ring is a partition per merchant and mode, ``KEYRING#<merchant>#<mode>``: ``sk = V#<n>`` (n
  zero-padded) the wrapped data key of version n, kept while a card may use it; ``sk = CURRENT`` the
  current version with a copy of its wrapped key and the ring's fingerprint key (one read seals a card).
- A rotation's progress: ``pk = ROTATION``, ``sk = <scope>`` (its run id, phase, scan cursor, counts).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from paygate.core import dynamo
from paygate.core.settings import VaultEnv

CARD = "CARD"
CVC = "CVC"
CURRENT = "CURRENT"
ROTATION = "ROTATION"
OWNED = "#merchant_id = :merchant_id AND #mode = :mode"


def table() -> str:
    return VaultEnv.load().vault_table


def partition(token: str) -> str:
    return f"CARD#{token}"


def ring_partition(merchant_id: str, mode: str) -> str:
    return f"KEYRING#{merchant_id}#{mode}"


def version_key(version: int) -> str:
    return f"V#{version:06d}"


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


def card_item(token: str) -> dict[str, Any] | None:
    return dynamo.get(table(), partition(token), CARD)


def delete_cvc(token: str) -> None:
    """Idempotent: deleting an item that is gone is not an error."""
    dynamo.client().delete_item(TableName=table(), Key=dynamo.to_item({"pk": partition(token), "sk": CVC}))


def update_expiry(token: str, merchant_id: str, mode: str, month: int, year: int) -> bool:
    """The CARD item's clear expiry, only if it is ``merchant_id``'s in ``mode``."""
    op = dynamo.update_op(
        table(),
        {"pk": partition(token), "sk": CARD},
        sets={"expiry_month": month, "expiry_year": year},
        condition=f"attribute_exists(pk) AND {OWNED}",
        merchant_id=merchant_id,
        mode=mode,
    )
    return dynamo.update(op) is not None


def destroy(token: str, merchant_id: str, mode: str) -> bool:
    """Both items, in one transaction conditioned on the CARD item's owner; False: not theirs / gone."""
    owner = dynamo.values(merchant_id=merchant_id, mode=mode)
    names = {"#merchant_id": "merchant_id", "#mode": "mode"}
    writes = [
        {
            "Delete": {
                "TableName": table(),
                "Key": dynamo.to_item({"pk": partition(token), "sk": CARD}),
                "ConditionExpression": f"attribute_exists(pk) AND {OWNED}",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": owner,
            }
        },
        {"Delete": {"TableName": table(), "Key": dynamo.to_item({"pk": partition(token), "sk": CVC})}},
    ]
    return dynamo.transact(writes) is None


# --- key rings ------------------------------------------------------------------------------------
def ring_current(merchant_id: str, mode: str) -> dict[str, Any] | None:
    return dynamo.get(table(), ring_partition(merchant_id, mode), CURRENT)


def ring_version(merchant_id: str, mode: str, version: int) -> dict[str, Any] | None:
    return dynamo.get(table(), ring_partition(merchant_id, mode), version_key(version))


def create_ring(current: dict[str, Any], first: dict[str, Any]) -> bool:
    """CURRENT and V#1 of a new ring, both if neither exists; False: another writer created it first."""
    return dynamo.transact(put_ops([current, first])) is None


def bump_ring(merchant_id: str, mode: str, seen: int, sets: dict[str, Any], version: dict[str, Any]) -> bool:
    """CURRENT moved from version ``seen`` to ``version``'s (put beside it); False: it moved meanwhile."""
    pk = ring_partition(merchant_id, mode)
    move = dynamo.update_op(
        table(), {"pk": pk, "sk": CURRENT}, sets=sets, condition="#key_version = :seen", seen=seen
    )
    return dynamo.transact([move, dynamo.put_op(table(), version)]) is None


def rings(merchant_id: str | None, mode: str | None) -> Iterator[dict[str, Any]]:
    """Every key ring's CURRENT item of the scope (a scan: rotation is a whole-table job)."""
    if merchant_id and mode:
        found = ring_current(merchant_id, mode)
        yield from [found] if found else []
        return
    yield from scan_pages(CURRENT, merchant_id, mode, None, 200, whole=True)


def scan_page(
    sk: str, merchant_id: str | None, mode: str | None, cursor: dict[str, Any] | None, limit: int
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of a scan for items ``sk`` of the scope: (items, the cursor after it or None at the end).
    ``limit`` counts items read, before the filter (as DynamoDB's Limit)."""
    names = {"#sk": "sk"}
    condition = ["#sk = :sk"]
    vals: dict[str, Any] = {"sk": sk}
    for name, value in (("merchant_id", merchant_id), ("mode", mode)):
        if value:
            names[f"#{name}"] = name
            vals[name] = value
            condition.append(f"#{name} = :{name}")
    request: dict[str, Any] = {
        "TableName": table(),
        "FilterExpression": " AND ".join(condition),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": dynamo.values(**vals),
        "Limit": limit,
    }
    if cursor:
        request["ExclusiveStartKey"] = cursor
    answer = dynamo.client().scan(**request)
    return [dynamo.from_item(i) for i in answer.get("Items", [])], answer.get("LastEvaluatedKey")


def scan_pages(
    sk: str, merchant_id: str | None, mode: str | None, cursor: dict[str, Any] | None, limit: int, whole: bool
) -> Iterator[dict[str, Any]]:
    while True:
        items, cursor = scan_page(sk, merchant_id, mode, cursor, limit)
        yield from items
        if not cursor or not whole:
            return


def reencrypt(token: str, sk: str, old: dict[str, Any], sets: dict[str, Any]) -> bool:
    """A card's item (``CARD`` or ``CVC``) re-sealed, only if it still holds what was read (its key
    version and nonce): a concurrent rotation or write never loses a card. Scheme 1's ``data_key`` goes."""
    seen = old.get("key_version")
    version_condition = (
        "#key_version = :old_version" if seen is not None else "attribute_not_exists(#key_version)"
    )
    op = dynamo.update_op(
        table(),
        {"pk": partition(token), "sk": sk},
        sets=sets,
        condition=f"#nonce = :old_nonce AND {version_condition}",
        names={"#key_version": "key_version"},
        old_nonce=old["nonce"],
        **({"old_version": seen} if seen is not None else {}),
    )
    if "data_key" in old:
        op["Update"]["UpdateExpression"] += " REMOVE #data_key"
        op["Update"]["ExpressionAttributeNames"]["#data_key"] = "data_key"
    try:
        dynamo.client().update_item(**op["Update"])
    except ClientError as exc:
        if dynamo.is_condition_failure(exc):
            return False
        raise
    return True


# --- rotation progress ----------------------------------------------------------------------------
def progress(scope: str) -> dict[str, Any] | None:
    return dynamo.get(table(), ROTATION, scope)


def start_run(item: dict[str, Any], previous_run: str | None) -> bool:
    """A new run's progress item, if none runs for the scope (absent, or the finished run read)."""
    condition = (
        "attribute_not_exists(pk)" if previous_run is None else "run_id = :previous AND #status = :done"
    )
    put = dynamo.put_op(table(), item, condition)
    if previous_run is not None:
        put["Put"]["ExpressionAttributeNames"] = {"#status": "status"}
        put["Put"]["ExpressionAttributeValues"] = dynamo.values(previous=previous_run, done="done")
    return dynamo.transact([put]) is None


def advance_run(
    scope: str, run_id: str, seen: tuple[str, str], sets: dict[str, Any], add: dict[str, int]
) -> dict[str, Any] | None:
    """The run's phase, cursor and counts moved on, only from the cursor this run read (one writer per
    page: a concurrent run of the same scope re-reads and continues from where the other got).
    ``seen``: (status, cursor) as read. The item after, or None when it moved meanwhile."""
    op = dynamo.update_op(
        table(),
        {"pk": ROTATION, "sk": scope},
        sets=sets,
        add=add or None,
        condition="run_id = :run AND #status = :seen_status AND #cursor = :seen_cursor",
        run=run_id,
        seen_status=seen[0],
        seen_cursor=seen[1],
    )
    return dynamo.update(op)
