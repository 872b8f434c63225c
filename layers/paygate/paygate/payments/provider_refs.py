"""Where a provider's reference leads, and which provider events were applied: two item kinds of the
payments table that no listing sees (no ``gsi1pk``, no ``type`` the event catalog knows).

- A **pointer** ``PROVIDER#<merchant_connector_id>#<provider reference>`` / ``POINTER`` names the
  payment or refund a provider's id (``pi_...``, ``pay_...``, ``re_...``, ``rfnd_...``) stands for. The
  attempt and refund paths write it (``pointer_put``, in the transaction that records the provider's
  answer); ``ApplyProviderEvent`` reads it (``lookup``). The key holds the configuration, so one
  merchant's configuration can never lead to another's object, even if two providers' ids collide.
- A **marker** ``PEVENT#<merchant_connector_id>#<event id>`` / ``MARKER`` says a provider event was
  applied: put with ``attribute_not_exists`` in the same transaction as the change the event makes, so
  a redelivered or replayed event changes nothing (docs/connectors.md#provider-webhooks).
"""

from __future__ import annotations

from typing import Any, Literal

from paygate.core import clock, dynamo
from paygate.core.settings import PaymentsTable

PointerKind = Literal["payment", "refund"]
POINTER_SK = "POINTER"
MARKER_SK = "MARKER"
# Stripe retries an event for 3 days, Razorpay for 24 hours: a marker outlives both (the table's TTL
# attribute ``expires_at`` removes it after). A redelivery later than this would be applied again,
# which every move's state condition makes harmless.
MARKER_DAYS = 30


def _table() -> str:
    return PaymentsTable.load().payments_table


def pointer_key(merchant_connector_id: str, provider_reference: str) -> dict[str, str]:
    return {"pk": f"PROVIDER#{merchant_connector_id}#{provider_reference}", "sk": POINTER_SK}


def pointer_put(
    merchant_connector_id: str, provider_reference: str, kind: PointerKind, object_id: str
) -> dict[str, Any]:
    """A TransactWriteItems ``Put`` of the pointer. Writing the same pointer again (a redelivered
    attempt) succeeds; pointing an existing reference at another object fails the transaction."""
    if kind not in ("payment", "refund"):
        raise ValueError(f"a pointer leads to a payment or a refund, not {kind!r}")
    item = {
        **pointer_key(merchant_connector_id, provider_reference),
        "kind": kind,
        "object_id": object_id,
        "merchant_connector_id": merchant_connector_id,
        "created_at": clock.iso_now(),
    }
    put = dynamo.put_op(_table(), item, "attribute_not_exists(pk) OR #object_id = :object_id")
    put["Put"]["ExpressionAttributeNames"] = {"#object_id": "object_id"}
    put["Put"]["ExpressionAttributeValues"] = dynamo.values(object_id=object_id)
    return put


def lookup(merchant_connector_id: str, provider_reference: str) -> tuple[str, str] | None:
    """(kind, object id) the reference leads to, or None when no pointer was written (yet)."""
    if not provider_reference:
        return None
    key = pointer_key(merchant_connector_id, provider_reference)
    found = dynamo.get(_table(), key["pk"], key["sk"])
    return (found["kind"], found["object_id"]) if found else None


def marker_key(merchant_connector_id: str, event_id: str) -> dict[str, str]:
    return {"pk": f"PEVENT#{merchant_connector_id}#{event_id}", "sk": MARKER_SK}


def marker_put(merchant_connector_id: str, event_id: str, kind: str, applied: str) -> dict[str, Any]:
    """The marker's ``Put``, conditioned on no marker: the transaction it joins fails on a replay.
    ``applied`` says what the event did (``payment success``, ``nothing: payment is failed``...)."""
    now = clock.now()
    item = {
        **marker_key(merchant_connector_id, event_id),
        "event_kind": kind,
        "applied": applied,
        "created_at": clock.iso_now(),
        "expires_at": int(now.timestamp()) + MARKER_DAYS * 86_400,
    }
    return dynamo.put_op(_table(), item)


def marker(merchant_connector_id: str, event_id: str) -> dict[str, Any] | None:
    key = marker_key(merchant_connector_id, event_id)
    return dynamo.get(_table(), key["pk"], key["sk"])
