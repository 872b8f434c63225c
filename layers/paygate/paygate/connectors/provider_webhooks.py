"""Receiving a provider's webhook: ``POST /api/v1/connectors/{connector}/webhooks/{merchant_connector_id}``.

The provider's signature is the only authentication (providers send no API key): the configuration
named in the path gives the merchant, the mode and the webhook secret (decrypted with the stack's KMS
key, under the configuration's own encryption context), and the connector's SDK verifies the raw
body with it. A verified event goes on the gateway's bus as ``provider.event`` from
``paygate.connectors``; the payments context applies it (``paygate.payments.provider_events``). The bus
sits between the two so the connectors context never writes, or even reads, the payments table
(docs/connectors.md#provider-webhooks).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from paygate.connectors import registry, service, store
from paygate.connectors.base import InvalidSignature, ProviderEvent
from paygate.core import aws
from paygate.core.errors import BadRequest, NotFound
from paygate.core.observability import logger
from paygate.core.settings import ProviderWebhookEnv

SOURCE = "paygate.connectors"
DETAIL_TYPE = "provider.event"
# the same answer for an unknown configuration and for one of another connector: no oracle
NOT_FOUND = "no provider webhook receiver at this address"


class WebhookReceived(BaseModel):
    received: bool = True


def receive(
    connector: str, merchant_connector_id: str, body: bytes, headers: Mapping[str, str]
) -> WebhookReceived:
    """Verify and publish one provider event; ``body`` is the raw bytes the signature covers."""
    item = store.objects.get(merchant_connector_id) if merchant_connector_id.startswith("mca_") else None
    if item is None or item.get("type") != store.KIND or item.get("connector") != connector:
        raise NotFound(NOT_FOUND, "merchant_connector_id")
    credentials = service.credentials_of(item)
    secret = credentials.get("webhook_secret")
    if not secret:
        raise BadRequest("no webhook secret configured for this connector configuration", "webhook_secret")
    try:
        event = registry.build(item, credentials).parse_webhook(body, headers, secret)
    except InvalidSignature as refused:
        logger.info(
            "provider webhook refused", extra={"merchant_connector_id": item["id"], "why": str(refused)}
        )
        raise BadRequest("the webhook signature does not verify", "signature") from None
    where = {"merchant_connector_id": item["id"], "event_id": event.event_id, "kind": event.kind}
    if event.kind == "ignored":
        logger.info("provider webhook ignored", extra={**where, "raw_type": event.raw_type})
        return WebhookReceived()
    _publish(detail(item, event))
    logger.info("provider webhook published", extra=where)
    return WebhookReceived()


def detail(item: dict[str, Any], event: ProviderEvent) -> dict[str, Any]:
    """The bus event's detail: who and what, normalized; no card data, no credentials (the
    connectors' provider messages are already redacted)."""
    result = event.result
    return {
        "merchant_id": item["merchant_id"],
        "mode": item["mode"],
        "merchant_connector_id": item["id"],
        "connector": item["connector"],
        "event_id": event.event_id,
        "kind": event.kind,
        "provider_reference": event.provider_reference,
        "raw_type": event.raw_type,
        "outcome": result.outcome.value,
        "provider_code": result.provider_code,
        "provider_message": result.provider_message,
        "amount": result.amount,
        "currency": result.currency,
    }


def _publish(event_detail: dict[str, Any]) -> None:
    entry = {
        "Source": SOURCE,
        "DetailType": DETAIL_TYPE,
        "Detail": json.dumps(event_detail, separators=(",", ":")),
        "EventBusName": ProviderWebhookEnv.load().event_bus_name,
    }
    answer = aws.client("events").put_events(Entries=[entry])
    if answer.get("FailedEntryCount"):
        code = answer["Entries"][0].get("ErrorCode")
        logger.warning("provider event not published", extra={"error_code": code})
        # a function error (502, alarmed): the provider delivers the event again later
        raise RuntimeError(f"PutEvents refused the provider event ({code})")
