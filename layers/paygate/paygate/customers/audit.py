"""The privacy audit: one append-only record per export and per erasure of a customer (docs/privacy.md).

Records live in the customers table beside the customers they are about:
``pk = AUDIT#<merchant>#<mode>#<customer>``, ``sk = <at>#<audit id>`` (a customer's history is one
query, oldest first), and gsi1 ``AUDIT#<merchant>#<mode>`` / ``<at>#<id>`` lists a merchant's records of
a mode (the keys-only listing index every customer uses). A record holds ids only — who (the API key
id, or ``dashboard`` for a session), what, which customer, when — never a name or an address, so an
erasure leaves it as it is. Records are written with ``attribute_not_exists`` and never updated or
deleted by the gateway; the functions that write them may only put items whose key starts ``AUDIT#``
(IAM ``dynamodb:LeadingKeys``, infra/stacks).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from paygate.core import clock, dynamo
from paygate.core.ids import new_id
from paygate.core.pages import Page
from paygate.customers.store import objects
from paygate.merchants.models import Principal

KIND = "audit_event"
Action = Literal["customer.exported", "customer.erased"]
PAGE_LIMIT = 100


class AuditActor(BaseModel):
    type: Literal["api_key", "dashboard"]
    id: str = Field(description="the API key id (key_test_… / key_live_…), or 'dashboard'")


class AuditEvent(BaseModel):
    id: str
    object: Literal["audit_event"] = "audit_event"
    action: Action
    customer: str
    actor: AuditActor
    mode: str
    at: str


AuditEventList = Page[AuditEvent]


def _partition(merchant_id: str, mode: str, customer_id: str) -> str:
    return f"AUDIT#{merchant_id}#{mode}#{customer_id}"


def actor_of(principal: Principal) -> dict[str, str]:
    kind = "dashboard" if principal.key_id == "dashboard" else "api_key"
    return {"type": kind, "id": principal.key_id}


def record(principal: Principal, action: Action, customer_id: str) -> AuditEvent:
    """Append a record of ``action`` on ``customer_id`` done by ``principal`` (never overwrites one)."""
    at = clock.iso_now()
    audit_id = new_id("aud")
    event = {
        "id": audit_id,
        "action": action,
        "customer": customer_id,
        "actor": actor_of(principal),
        "mode": principal.mode,
        "at": at,
    }
    item = {
        "pk": _partition(principal.merchant_id, principal.mode, customer_id),
        "sk": f"{at}#{audit_id}",
        "type": KIND,
        "merchant_id": principal.merchant_id,
        "gsi1pk": f"AUDIT#{principal.merchant_id}#{principal.mode}",
        "gsi1sk": f"{at}#{audit_id}",
        **event,
    }
    if not dynamo.put_if_absent(objects.table(), item):
        raise RuntimeError(f"audit record {audit_id} exists already")
    return AuditEvent.model_validate(event)


def of_customer(principal: Principal, customer_id: str, limit: int, offset: int) -> AuditEventList:
    """A customer's records, newest first."""
    request: dict[str, Any] = {
        "TableName": objects.table(),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": dynamo.values(
            pk=_partition(principal.merchant_id, principal.mode, customer_id)
        ),
        "ScanIndexForward": False,
        "ConsistentRead": True,
        "Limit": min(offset + limit + 1, 1000),
    }
    found: list[dict[str, Any]] = []
    while len(found) <= offset + limit:
        answer = dynamo.client().query(**request)
        found += [dynamo.from_item(i) for i in answer.get("Items", [])]
        if "LastEvaluatedKey" not in answer:
            break
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    window = [AuditEvent.model_validate(i) for i in found[offset : offset + limit]]
    return AuditEventList.of(window, len(found) > offset + limit)
