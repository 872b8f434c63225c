"""All DynamoDB access of the Risk context: one table (``${Namespace}-risk``, ``pk``/``sk``, TTL on
``expires_at``), no index: every read is a key or one partition of the merchant and mode.

Items (``<m>#<mode>`` is merchant id and mode; hashed values are sha256 of the normalised value, so
counters keep no e-mail or IP address):
- a rule: ``RULES#<m>#<mode>`` / ``<rule id>`` (``rule_…``, time-ordered: the partition is the
  evaluation order); a default rule disabled by the merchant: the same key with the default's id and
  only ``enabled`` and ``version``.
- a list entry: ``LISTS#<m>#<mode>`` / ``<entry id>``; its claim (one value per type, on one list):
  ``LISTV#<m>#<mode>#<type>#<hash>`` / ``CLAIM``; a CIDR entry also ``CIDRS#<m>#<mode>`` / ``<entry id>``
  (read whole when a payment has an IP); a block-listed e-mail's near-miss key
  ``LISTV#<m>#<mode>#email_canonical#<hash>`` / ``CLAIM``.
- velocity counters: ``VEL#<m>#<mode>#<key>#<hash>`` / ``H#<epoch hour>`` (the hour's ``attempts`` and
  ``declines`` and per minute ``a<MM>``/``d<MM>``), TTL two hours after; ``… / D#<epoch day>`` (the
  day's ``attempts``, ``declines`` and ``streak``, the declines in a row), TTL two days after.
- an assessment: ``ASSESS#<m>#<mode>`` / ``<payment id>`` (time-ordered: the dry run reads the newest),
  with the assessment, the facts and counters it was made on; TTL 90 days.
- the merchant's usual amount: ``USUAL#<m>#<mode>`` / ``<currency>`` (``n``, ``total``).
- the cards a customer used: ``SEEN#<m>#<mode>#<customer>`` / ``CARDS`` (``first_seen``, ``cards``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from paygate.core import dynamo
from paygate.core.settings import RiskTable

MINUTE, HOUR, DAY = 60, 3600, 86400
ASSESSMENT_DAYS = 90
CLAIM = "CLAIM"


def table() -> str:
    return RiskTable.load().risk_table


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _scope(merchant_id: str, mode: str) -> str:
    return f"{merchant_id}#{mode}"


# --- velocity counters --------------------------------------------------------------------------------


def _velocity_pk(merchant_id: str, mode: str, key: str, value: str) -> str:
    return f"VEL#{_scope(merchant_id, mode)}#{key}#{digest(value)}"


def count(
    merchant_id: str, mode: str, key: str, value: str, now: datetime, *, attempt: bool, declined: bool = False
) -> dict[str, int]:
    """Count an attempt (``attempt``) or an outcome (``declined``: a decline, else a success that ends
    the streak) of one key's value: two atomic UpdateItems (ADD), the hour item and the day item.
    Answers the counters after the write, named ``<window>.<count>`` and ``streak``."""
    epoch = int(now.timestamp())
    hour, day = epoch // HOUR, epoch // DAY
    minute = f"{(epoch % HOUR) // MINUTE:02d}"
    pk = _velocity_pk(merchant_id, mode, key, value)
    hour_add: dict[str, int] = {}
    day_add: dict[str, int] = {}
    day_set: dict[str, Any] = {"expires_at": (day + 2) * DAY}
    if attempt:
        hour_add = {"attempts": 1, f"a{minute}": 1}
        day_add = {"attempts": 1}
    elif declined:
        hour_add = {"declines": 1, f"d{minute}": 1}
        day_add = {"declines": 1, "streak": 1}
    else:
        day_set["streak"] = 0
    found_hour: dict[str, Any] = {}
    if hour_add:
        op = dynamo.update_op(
            table(), {"pk": pk, "sk": f"H#{hour}"}, sets={"expires_at": (hour + 2) * HOUR}, add=hour_add
        )
        found_hour = dynamo.update(op) or {}
    op = dynamo.update_op(table(), {"pk": pk, "sk": f"D#{day}"}, sets=day_set, add=day_add or None)
    found_day = dynamo.update(op) or {}
    return {
        "minute.attempts": int(found_hour.get(f"a{minute}", 0)),
        "minute.declines": int(found_hour.get(f"d{minute}", 0)),
        "hour.attempts": int(found_hour.get("attempts", 0)),
        "hour.declines": int(found_hour.get("declines", 0)),
        "day.attempts": int(found_day.get("attempts", 0)),
        "day.declines": int(found_day.get("declines", 0)),
        "streak": int(found_day.get("streak", 0)),
    }


# --- rules --------------------------------------------------------------------------------------------


def _rules_pk(merchant_id: str, mode: str) -> str:
    return f"RULES#{_scope(merchant_id, mode)}"


def rules(merchant_id: str, mode: str) -> list[dict[str, Any]]:
    """Every rule item of the merchant in this mode, oldest first (default overrides included): one
    consistent Query of one partition."""
    return _partition(_rules_pk(merchant_id, mode), consistent=True)


def _partition(pk: str, consistent: bool = False) -> list[dict[str, Any]]:
    """Every item of one partition, page after page."""
    request: dict[str, Any] = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": dynamo.values(pk=pk),
        "ConsistentRead": consistent,
    }
    items: list[dict[str, Any]] = []
    while True:
        answer = dynamo.client().query(**request)
        items += [dynamo.from_item(item) for item in answer.get("Items", [])]
        if not answer.get("LastEvaluatedKey"):
            return items
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def rule(merchant_id: str, mode: str, rule_id: str) -> dict[str, Any] | None:
    return dynamo.get(table(), _rules_pk(merchant_id, mode), rule_id)


def put_rule(merchant_id: str, mode: str, rule_id: str, data: dict[str, Any], read_version: int) -> bool:
    """Write a rule whole as version ``read_version + 1`` if the stored one is still ``read_version``."""
    item = {
        "pk": _rules_pk(merchant_id, mode),
        "sk": rule_id,
        "rule": json.dumps(data),
        "version": read_version + 1,
    }
    return dynamo.put_versioned(table(), item, read_version)


def delete_rule(merchant_id: str, mode: str, rule_id: str, read_version: int) -> bool:
    try:
        dynamo.client().delete_item(
            TableName=table(),
            Key=dynamo.to_item({"pk": _rules_pk(merchant_id, mode), "sk": rule_id}),
            ConditionExpression="#version = :version",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues=dynamo.values(version=read_version),
        )
    except ClientError as exc:
        if dynamo.is_condition_failure(exc):
            return False
        raise
    return True


# --- lists --------------------------------------------------------------------------------------------


def _lists_pk(merchant_id: str, mode: str) -> str:
    return f"LISTS#{_scope(merchant_id, mode)}"


def _cidrs_pk(merchant_id: str, mode: str) -> str:
    return f"CIDRS#{_scope(merchant_id, mode)}"


def claim_key(merchant_id: str, mode: str, entry_type: str, value: str) -> dict[str, str]:
    return {"pk": f"LISTV#{_scope(merchant_id, mode)}#{entry_type}#{digest(value)}", "sk": CLAIM}


def create_entry(entry: dict[str, Any], near_miss: str | None) -> str | None:
    """The entry, its claim (and its CIDR copy, its near-miss key) in one transaction; None when it
    committed, else ``"taken"`` (the value is already on a list of this merchant and mode)."""
    merchant_id, mode, entry_id = entry["merchant_id"], entry["mode"], entry["id"]
    claim = {**claim_key(merchant_id, mode, entry["type"], entry["value"]), "entry": json.dumps(entry)}
    writes = [
        dynamo.put_op(table(), {"pk": _lists_pk(merchant_id, mode), "sk": entry_id, **entry}),
        dynamo.put_op(table(), claim),
    ]
    if entry.get("cidr"):
        writes.append(dynamo.put_op(table(), {"pk": _cidrs_pk(merchant_id, mode), "sk": entry_id, **entry}))
    if near_miss is not None:
        # two entries can share a canonical e-mail: the first keeps the key (a near miss names one)
        key = claim_key(merchant_id, mode, "email_canonical", near_miss)
        if dynamo.get(table(), key["pk"], key["sk"]) is None:
            writes.append(dynamo.put_op(table(), {**key, "entry": json.dumps(entry)}))
    reasons = dynamo.transact(writes)
    return None if reasons is None else "taken"


def entries(merchant_id: str, mode: str, limit: int, offset: int) -> dynamo.Page:
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": dynamo.values(pk=_lists_pk(merchant_id, mode)),
        "ScanIndexForward": False,
        "ConsistentRead": True,
        "Limit": min(offset + limit + 1, 1000),
    }
    found: list[dict[str, Any]] = []
    while len(found) < offset + limit + 1:
        answer = dynamo.client().query(**request)
        found += [dynamo.from_item(item) for item in answer.get("Items", [])]
        if not answer.get("LastEvaluatedKey"):
            break
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    return dynamo.Page(items=found[offset : offset + limit], has_more=len(found) > offset + limit)


def entry(merchant_id: str, mode: str, entry_id: str) -> dict[str, Any] | None:
    return dynamo.get(table(), _lists_pk(merchant_id, mode), entry_id)


def delete_entry(found: dict[str, Any], near_miss: str | None) -> bool:
    """The entry and what it wrote with it, in one transaction conditioned on the entry still being there."""
    merchant_id, mode, entry_id = found["merchant_id"], found["mode"], found["id"]
    client_table = table()

    def delete(key: dict[str, str], condition: str | None = None) -> dict[str, Any]:
        op: dict[str, Any] = {"TableName": client_table, "Key": dynamo.to_item(key)}
        if condition:
            op["ConditionExpression"] = condition
        return {"Delete": op}

    writes = [
        delete({"pk": _lists_pk(merchant_id, mode), "sk": entry_id}, "attribute_exists(pk)"),
        delete(claim_key(merchant_id, mode, found["type"], found["value"])),
    ]
    if found.get("cidr"):
        writes.append(delete({"pk": _cidrs_pk(merchant_id, mode), "sk": entry_id}))
    if near_miss is not None:
        key = claim_key(merchant_id, mode, "email_canonical", near_miss)
        held = dynamo.get(client_table, key["pk"], key["sk"])
        if held is not None and json.loads(held["entry"])["id"] == entry_id:
            writes.append(delete(key))
    return dynamo.transact(writes) is None


def claims(merchant_id: str, mode: str, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The list entries (as written) claiming any of ``pairs`` (type, value): one BatchGetItem."""
    keys = [claim_key(merchant_id, mode, entry_type, value) for entry_type, value in dict.fromkeys(pairs)]
    found = dynamo.batch_get(table(), keys) if keys else []
    by_key = {item["pk"]: json.loads(item["entry"]) for item in found}
    answer = []
    for (entry_type, value), key in zip(dict.fromkeys(pairs), keys, strict=True):
        if key["pk"] in by_key:
            answer.append({**by_key[key["pk"]], "matched_type": entry_type, "matched_value": value})
    return answer


def cidr_entries(merchant_id: str, mode: str) -> list[dict[str, Any]]:
    return _partition(_cidrs_pk(merchant_id, mode))


# --- assessments, usual amounts, customers' cards -------------------------------------------------------


def _assess_pk(merchant_id: str, mode: str) -> str:
    return f"ASSESS#{_scope(merchant_id, mode)}"


def assessment(merchant_id: str, mode: str, payment_id: str) -> dict[str, Any] | None:
    found = dynamo.get(table(), _assess_pk(merchant_id, mode), payment_id)
    return None if found is None else _decoded(found)


def put_assessment(
    merchant_id: str, mode: str, payment_id: str, record: dict[str, Any], now: datetime
) -> bool:
    """The assessment item, if none exists for the payment (the first assessment stays)."""
    item = {
        "pk": _assess_pk(merchant_id, mode),
        "sk": payment_id,
        "record": json.dumps(record),
        "expires_at": int(now.timestamp()) + ASSESSMENT_DAYS * DAY,
    }
    return dynamo.put_if_absent(table(), item)


def replace_record(merchant_id: str, mode: str, payment_id: str, record: dict[str, Any]) -> None:
    """Rewrite an assessment's record in place (its facts erased: ``service.erase_payment``)."""
    op = dynamo.update_op(
        table(),
        {"pk": _assess_pk(merchant_id, mode), "sk": payment_id},
        sets={"record": json.dumps(record)},
        condition="attribute_exists(pk)",
    )
    dynamo.update(op)


def mark_outcome(merchant_id: str, mode: str, payment_id: str, outcome: str) -> bool:
    """Note the payment's outcome on its assessment, once: False when it was noted already (or the
    payment was never assessed), so a retried ``record_outcome`` counts nothing twice."""
    op = dynamo.update_op(
        table(),
        {"pk": _assess_pk(merchant_id, mode), "sk": payment_id},
        sets={"outcome": outcome},
        condition="attribute_exists(pk) AND attribute_not_exists(#outcome)",
    )
    return dynamo.update(op) is not None


def last_assessments(merchant_id: str, mode: str, last: int) -> list[dict[str, Any]]:
    """The newest ``last`` assessments (payment ids are time-ordered), newest first."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": dynamo.values(pk=_assess_pk(merchant_id, mode)),
        "ScanIndexForward": False,
        "Limit": last,
    }
    found: list[dict[str, Any]] = []
    while len(found) < last:
        answer = dynamo.client().query(**request)
        found += [_decoded(item) for item in (dynamo.from_item(i) for i in answer.get("Items", []))]
        if not answer.get("LastEvaluatedKey"):
            break
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        request["Limit"] = last - len(found)
    return found[:last]


def _decoded(item: dict[str, Any]) -> dict[str, Any]:
    return {**json.loads(item["record"]), "payment_id": item["sk"], "outcome": item.get("outcome")}


def usual_amount(merchant_id: str, mode: str, currency: str) -> tuple[int, int]:
    """(payments counted, their total) of the merchant's successful payments in ``currency``."""
    found = dynamo.get(table(), f"USUAL#{_scope(merchant_id, mode)}", currency, consistent=False) or {}
    return int(found.get("n", 0)), int(found.get("total", 0))


def add_usual(merchant_id: str, mode: str, currency: str, amount: int) -> None:
    key = {"pk": f"USUAL#{_scope(merchant_id, mode)}", "sk": currency}
    dynamo.update(dynamo.update_op(table(), key, add={"n": 1, "total": amount}))


def see_card(merchant_id: str, mode: str, customer: str, fingerprint: str, now_iso: str) -> tuple[str, bool]:
    """Record that ``customer`` used the card; (when the customer was first seen, whether the card was
    seen with them before), from the item as it was (one UpdateItem, ReturnValues ALL_OLD)."""
    answer = dynamo.client().update_item(
        TableName=table(),
        Key=dynamo.to_item({"pk": f"SEEN#{_scope(merchant_id, mode)}#{digest(customer)}", "sk": "CARDS"}),
        UpdateExpression="SET first_seen = if_not_exists(first_seen, :now) ADD cards :card",
        ExpressionAttributeValues={":now": {"S": now_iso}, ":card": {"SS": [digest(fingerprint)]}},
        ReturnValues="ALL_OLD",
    )
    old = dynamo.from_item(answer.get("Attributes") or {})
    return old.get("first_seen", now_iso), digest(fingerprint) in (old.get("cards") or set())
