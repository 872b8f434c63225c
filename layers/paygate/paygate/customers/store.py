"""All DynamoDB access for customers: the customers table, an ``ObjectTable`` with keys-only indexes.

Items:
- a customer, ``pk = cus_…``, ``sk = OBJ`` (``paygate.core.objects``), always written whole by this
  module, conditioned on the ``version`` it was read at (``put_versioned``); gsi1 lists a merchant's
  customers per mode, gsi2 finds them by e-mail (``EMAIL#<merchant>#<mode>#<lower-cased e-mail>``).
  A deleted customer keeps its data but loses both index keys, so it drops out of every listing.
- a claim of an ``external_id``, ``pk = EXTERNAL_ID#<merchant>#<mode>#<external id>``, ``sk = CLAIM``,
  naming the customer that holds it. It is written in the same transaction as the customer that takes
  the id (``attribute_not_exists``: of two concurrent writers exactly one gets it), moved or deleted in
  the same transaction as the customer that changes, clears or gives it up (deletion frees it).
"""

from __future__ import annotations

from typing import Any, Literal

from paygate.core import dynamo
from paygate.core.objects import SK, ObjectTable
from paygate.core.settings import CustomersTable

objects = ObjectTable(lambda: CustomersTable.load().customers_table, keys_only=True)

KIND = "customer"
CLAIM_SK = "CLAIM"
CONDITION_FAILED = "ConditionalCheckFailed"
Saved = Literal["saved", "exists", "stale", "taken"]


def email_key(merchant_id: str, mode: str, email: str) -> str:
    return f"EMAIL#{merchant_id}#{mode}#{email.lower()}"


def _claim_key(merchant_id: str, mode: str, external_id: str) -> dict[str, str]:
    return {"pk": f"EXTERNAL_ID#{merchant_id}#{mode}#{external_id}", "sk": CLAIM_SK}


def with_index_keys(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with the index keys its state calls for: listed (gsi1) and found by e-mail (gsi2)
    while not deleted, and by e-mail only while it has one."""
    keyed = {k: v for k, v in item.items() if k not in ("gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")}
    if item.get("deleted"):
        return keyed
    merchant_id, mode, sort = item["merchant_id"], item["mode"], f"{item['created_at']}#{item['id']}"
    keyed.update(gsi1pk=f"MERCHANT#{merchant_id}#{mode}#{KIND}", gsi1sk=sort)
    if item.get("email"):
        keyed.update(gsi2pk=email_key(merchant_id, mode, item["email"]), gsi2sk=sort)
    return keyed


def _claim_put(item: dict[str, Any]) -> dict[str, Any]:
    claim = {
        **_claim_key(item["merchant_id"], item["mode"], item["external_id"]),
        "type": "external_id_claim",
        "customer_id": item["id"],
    }
    return dynamo.put_op(objects.table(), claim)


def _claim_delete(item: dict[str, Any]) -> dict[str, Any]:
    """Free the claim ``item`` holds (a claim another customer holds is never deleted)."""
    return {
        "Delete": {
            "TableName": objects.table(),
            "Key": dynamo.to_item(_claim_key(item["merchant_id"], item["mode"], item["external_id"])),
            "ConditionExpression": "attribute_not_exists(pk) OR #customer_id = :me",
            "ExpressionAttributeNames": {"#customer_id": "customer_id"},
            "ExpressionAttributeValues": dynamo.values(me=item["id"]),
        }
    }


def insert(item: dict[str, Any]) -> Saved:
    """Create a customer (and claim its external id): ``saved``; ``exists`` when its id does already
    (the same create run again); ``taken`` when another customer holds the external id."""
    item = with_index_keys(item)
    if not item.get("external_id"):
        return "saved" if objects.put_new(item) else "exists"
    reasons = dynamo.transact([dynamo.put_op(objects.table(), item), _claim_put(item)])
    if reasons is None:
        return "saved"
    if reasons[0] == CONDITION_FAILED:
        return "exists"
    if reasons[1] == CONDITION_FAILED:
        return "taken"
    raise RuntimeError(f"customer not created: {reasons}")


def replace(read: dict[str, Any], new: dict[str, Any]) -> Saved:
    """Write ``new`` over ``read`` if the stored customer is still at ``read``'s version, moving the
    external id's claim with it: ``saved``, ``stale`` (it changed since it was read: read again) or
    ``taken`` (another customer holds the new external id)."""
    new = with_index_keys({**new, "version": int(read["version"]) + 1})
    old_claim = read.get("external_id") if not read.get("deleted") else None
    new_claim = new.get("external_id") if not new.get("deleted") else None
    if old_claim == new_claim:
        return "saved" if dynamo.put_versioned(objects.table(), new, int(read["version"])) else "stale"
    put = dynamo.put_op(objects.table(), new, "#version = :read_version")
    put["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
    put["Put"]["ExpressionAttributeValues"] = dynamo.values(read_version=int(read["version"]))
    writes = [put]
    if new_claim:
        writes.append(_claim_put(new))
    if old_claim:
        writes.append(_claim_delete(read))
    reasons = dynamo.transact(writes)
    if reasons is None:
        return "saved"
    if reasons[0] == CONDITION_FAILED:
        return "stale"
    if new_claim and reasons[1] == CONDITION_FAILED:
        return "taken"
    if CONDITION_FAILED in reasons:  # the old claim moved under us: read again
        return "stale"
    raise RuntimeError(f"customer not updated: {reasons}")


def owned(customer_id: str, merchant_id: str, mode: str) -> dict[str, Any] | None:
    """The customer if it is this merchant's, of this mode (deleted or not); None otherwise."""
    return objects.owned(customer_id, KIND, merchant_id, mode)


def holder_of(merchant_id: str, mode: str, external_id: str) -> str | None:
    """The id of the customer that holds ``external_id`` (strongly consistent: the claim item)."""
    key = _claim_key(merchant_id, mode, external_id)
    claim = dynamo.get(objects.table(), key["pk"], key["sk"])
    return str(claim["customer_id"]) if claim else None


def list_customers(merchant_id: str, mode: str, limit: int, offset: int) -> dynamo.Page:
    return objects.list_for_merchant(merchant_id, mode, KIND, limit, offset)


def by_email(merchant_id: str, mode: str, email: str, limit: int, offset: int) -> dynamo.Page:
    """Customers whose e-mail is ``email`` (compared lower-cased), newest first."""
    page = dynamo.query_page(
        objects.table(), "gsi2", "gsi2pk", email_key(merchant_id, mode, email), limit=limit, offset=offset
    )
    return objects.whole(page)


__all__ = ["SK", "by_email", "holder_of", "insert", "list_customers", "objects", "owned", "replace"]
