"""DynamoDB plumbing every store shares: item (de)serialisation, paged queries, condition failures.

Stores use the low-level client (thread-safe, shared) with these helpers rather than the resource API,
so a transaction and a single write look the same and the AWS call count stays visible.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from paygate.core import aws

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in data.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def values(**named: Any) -> dict[str, Any]:
    """ExpressionAttributeValues from keyword arguments: ``values(s="paid")`` -> ``{":s": {"S": "paid"}}``."""
    return {f":{k}": _serializer.serialize(v) for k, v in named.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def client() -> Any:
    return aws.client("dynamodb")


def get(table: str, pk: str, sk: str, consistent: bool = True) -> dict[str, Any] | None:
    found = (
        client()
        .get_item(TableName=table, Key=to_item({"pk": pk, "sk": sk}), ConsistentRead=consistent)
        .get("Item")
    )
    return from_item(found) if found else None


def is_condition_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def cancellation_reasons(exc: ClientError) -> list[str]:
    """Per-item codes of a cancelled TransactWriteItems ("None" for items that passed)."""
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return []
    reasons = exc.response.get("CancellationReasons")
    if reasons:
        return [r.get("Code", "None") for r in reasons]
    # moto puts the reasons only in the message: "... [ConditionalCheckFailed, None]"
    message = exc.response.get("Error", {}).get("Message", "")
    inside = message[message.rfind("[") + 1 : message.rfind("]")]
    return [part.strip() for part in inside.split(",")] if inside else []


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    has_more: bool


def query_page(
    table: str,
    index: str,
    key_name: str,
    key_value: str,
    *,
    limit: int,
    offset: int = 0,
    sort_between: tuple[str, str] | None = None,
    filters: dict[str, Any] | None = None,
) -> Page:
    """Newest first, ``offset`` skipped, up to ``limit`` items whose attributes equal ``filters``."""
    sort_key = f"{key_name[:-2]}sk"
    condition = "#pk = :pk"
    names = {"#pk": key_name}
    vals: dict[str, Any] = {"pk": key_value}
    if sort_between:
        condition += " AND #sk BETWEEN :lo AND :hi"
        names["#sk"] = sort_key
        vals.update(lo=sort_between[0], hi=sort_between[1])
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": condition,
        "ScanIndexForward": False,
    }
    if filters:
        parts = []
        for i, (name, value) in enumerate(filters.items()):
            names[f"#f{i}"] = name
            vals[f"f{i}"] = value
            parts.append(f"#f{i} = :f{i}")
        request["FilterExpression"] = " AND ".join(parts)
    request["ExpressionAttributeNames"] = names
    request["ExpressionAttributeValues"] = values(**vals)
    wanted = offset + limit + 1
    found: list[dict[str, Any]] = []
    for item in _pages(request, wanted):
        found.append(item)
        if len(found) >= wanted:
            break
    window = found[offset : offset + limit]
    return Page(items=window, has_more=len(found) > offset + limit)


def _pages(request: dict[str, Any], wanted: int) -> Iterator[dict[str, Any]]:
    request = {**request, "Limit": min(max(wanted, 10), 1000)}
    while True:
        response = client().query(**request)
        for item in response.get("Items", []):
            yield from_item(item)
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        request["ExclusiveStartKey"] = last


BATCH_GET_LIMIT = 100  # keys per BatchGetItem call


def batch_get(table: str, keys: list[dict[str, str]], consistent: bool = True) -> list[dict[str, Any]]:
    """The items of ``keys``, in the order of ``keys``; an item that no longer exists is left out.

    How a keys-only index's page becomes whole items: one read unit per 4 KB, where projecting every
    attribute into the index would cost a write unit per 1 KB on every change of the item."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        request: dict[str, Any] = {
            table: {
                "Keys": [to_item(k) for k in keys[start : start + BATCH_GET_LIMIT]],
                "ConsistentRead": consistent,
            }
        }
        for attempt in range(10):
            answer = client().batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(table, []):
                plain = from_item(item)
                found[(plain["pk"], plain["sk"])] = plain
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # noqa: S311 - backoff, as AWS advises
        else:
            raise RuntimeError(f"BatchGetItem left keys unprocessed on {table}")
    return [found[(k["pk"], k["sk"])] for k in keys if (k["pk"], k["sk"]) in found]


def update_op(
    table: str,
    key: dict[str, str],
    *,
    sets: dict[str, Any] | None = None,
    add: dict[str, int] | None = None,
    append: dict[str, list[Any]] | None = None,
    condition: str | None = None,
    names: dict[str, str] | None = None,
    **condition_values: Any,
) -> dict[str, Any]:
    """One Update of a transaction (or the kwargs of update_item under ``["Update"]``).

    ``sets`` and ``add`` name attributes; ``condition`` refers to them as ``#name`` and to
    ``condition_values`` as ``:name``.
    """
    all_names = dict(names or {})
    vals: dict[str, Any] = {}
    clauses = []
    assignments = []
    if sets:
        all_names.update({f"#{k}": k for k in sets})
        vals.update({f"set_{k}": v for k, v in sets.items()})
        assignments += [f"#{k} = :set_{k}" for k in sets]
    if append:
        all_names.update({f"#{k}": k for k in append})
        vals.update({f"app_{k}": v for k, v in append.items()})
        vals["app_empty"] = []  # an item written before the list existed starts one
        assignments += [f"#{k} = list_append(if_not_exists(#{k}, :app_empty), :app_{k})" for k in append]
    if assignments:
        clauses.append("SET " + ", ".join(assignments))
    if add:
        all_names.update({f"#{k}": k for k in add})
        vals.update({f"add_{k}": v for k, v in add.items()})
        clauses.append("ADD " + ", ".join(f"#{k} :add_{k}" for k in add))
    vals.update(condition_values)
    op: dict[str, Any] = {
        "TableName": table,
        "Key": to_item(key),
        "UpdateExpression": " ".join(clauses),
    }
    if condition:
        op["ConditionExpression"] = condition
        for token in condition.replace("(", " ").replace(")", " ").replace(",", " ").split():
            if token.startswith("#"):
                all_names.setdefault(token, token[1:])
    if all_names:
        op["ExpressionAttributeNames"] = all_names
    if vals:
        op["ExpressionAttributeValues"] = values(**vals)
    return {"Update": op}


def put_op(table: str, item: dict[str, Any], condition: str = "attribute_not_exists(pk)") -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": to_item(item), "ConditionExpression": condition}}


def transact(writes: list[dict[str, Any]], attempts: int = 5) -> list[str] | None:
    """Run a transaction; None when it committed, else the per-item cancellation codes.

    A ``TransactionConflict`` (another transaction held one of the items) is retried with jitter: the
    conditions are evaluated again, so a retry can never write what the first attempt would not have.
    """
    for attempt in range(attempts):
        try:
            client().transact_write_items(TransactItems=writes)
        except ClientError as exc:
            reasons = cancellation_reasons(exc)
            if not reasons:
                raise
            if "TransactionConflict" in reasons and attempt < attempts - 1:
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # noqa: S311 - jitter
                continue
            return reasons
        return None
    return None


def update(op: dict[str, Any]) -> dict[str, Any] | None:
    """A single conditional update; the new item, or None when the condition failed."""
    try:
        found = client().update_item(**op["Update"], ReturnValues="ALL_NEW")
    except ClientError as exc:
        if is_condition_failure(exc):
            return None
        raise
    return from_item(found["Attributes"])


def put_if_absent(table: str, item: dict[str, Any]) -> bool:
    try:
        client().put_item(**put_op(table, item)["Put"])
    except ClientError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def put_versioned(table: str, item: dict[str, Any], read_version: int) -> bool:
    """Put a whole item if its stored ``version`` is still ``read_version`` (0: it must not exist);
    False when another writer moved it first. For items one module always writes whole."""
    if read_version == 0:
        op = put_op(table, item)  # attribute_not_exists(pk): nobody created it meanwhile
    else:
        op = put_op(table, item, "#version = :read_version")
        op["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
        op["Put"]["ExpressionAttributeValues"] = values(read_version=read_version)
    try:
        client().put_item(**op["Put"])
    except ClientError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True
