"""Webhook use cases: endpoints (CRUD, rotation), fan-out of events to deliveries, delivery logs and
manual retry. One delivery per (event, endpoint), id derived from both, and one ``webhook_delivery``
execution named by it, so a duplicated event never delivers twice."""

from __future__ import annotations

import json
from typing import Any

from paygate.core import aws, clock, dynamo
from paygate.core.errors import BadRequest, NotFound
from paygate.core.ids import derived_id, new_id
from paygate.core.observability import logger
from paygate.core.settings import WebhookEnv
from paygate.merchants import store as merchants_store
from paygate.merchants.models import Principal
from paygate.webhooks import signing, store
from paygate.webhooks.models import (
    Delivery,
    DeliveryDetail,
    DeliveryList,
    Endpoint,
    EndpointIn,
    EndpointList,
    EndpointUpdate,
    EndpointWithSecret,
)
from paygate.webhooks.urls import check_url

SCHEDULE = [0, 60, 300, 1800, 7200]
TEST_SCHEDULE = [0, 5, 10, 15, 20]
DEFAULT_ENDPOINT = "default"  # the merchant's own webhook_url + webhook_secret (seed contract)


def _owned(principal: Principal, kind: str, object_id: str) -> dict[str, Any]:
    item = store.objects.get(object_id) if object_id else None
    if (
        item is None
        or item.get("type") != kind
        or (item["merchant_id"], item["mode"]) != (principal.merchant_id, principal.mode)
    ):
        raise NotFound(f"no webhook {'endpoint' if kind == 'endpoint' else 'delivery'} {object_id}", "id")
    return item


# --- endpoints ----------------------------------------------------------------------------------
def create_endpoint(principal: Principal, data: EndpointIn) -> EndpointWithSecret:
    check_url(data.url, principal.mode)
    now = clock.iso_now()
    endpoint = {
        "id": new_id("we"),
        "merchant_id": principal.merchant_id,
        "mode": principal.mode,
        "url": data.url,
        "enabled_events": data.enabled_events,
        "description": data.description,
        "status": "enabled",
        "secret": signing.new_secret(),
        "created_at": now,
        "updated_at": now,
    }
    store.objects.put_new(store.objects.new_item("endpoint", endpoint))
    return EndpointWithSecret.model_validate(endpoint)


def list_endpoints(principal: Principal, limit: int, offset: int) -> EndpointList:
    page = store.objects.list_for_merchant(principal.merchant_id, principal.mode, "endpoint", limit, offset)
    return EndpointList.of([Endpoint.model_validate(i) for i in page.items], page.has_more)


def get_endpoint(principal: Principal, endpoint_id: str) -> Endpoint:
    return Endpoint.model_validate(_owned(principal, "endpoint", endpoint_id))


def update_endpoint(principal: Principal, endpoint_id: str, data: EndpointUpdate) -> Endpoint:
    found = _owned(principal, "endpoint", endpoint_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "url" in changes:
        check_url(changes["url"], principal.mode)
    return _save(found, changes)


def rotate_secret(principal: Principal, endpoint_id: str) -> EndpointWithSecret:
    found = _owned(principal, "endpoint", endpoint_id)
    return EndpointWithSecret.model_validate(_save(found, {"secret": signing.new_secret()}, raw=True))


def _save(found: dict[str, Any], changes: dict[str, Any], raw: bool = False) -> Any:
    changes = {**changes, "updated_at": clock.iso_now()}
    updated = dynamo.update(store.objects.change(found["id"], changes, "attribute_exists(pk)"))
    if updated is None:
        raise NotFound(f"no webhook endpoint {found['id']}", "id")
    return updated if raw else Endpoint.model_validate(updated)


def delete_endpoint(principal: Principal, endpoint_id: str) -> Endpoint:
    found = _owned(principal, "endpoint", endpoint_id)
    store.delete(endpoint_id)
    return Endpoint.model_validate(found)


def disable_endpoint(endpoint_id: str) -> None:
    """A 410 Gone from the receiver (Standard Webhooks): stop sending to it."""
    if endpoint_id == DEFAULT_ENDPOINT:
        return
    dynamo.update(
        store.objects.change(
            endpoint_id, {"status": "disabled", "updated_at": clock.iso_now()}, "attribute_exists(pk)"
        )
    )


def target(merchant_id: str, endpoint_id: str) -> tuple[str, str, bool] | None:
    """(url, secret, enabled) of an endpoint now, or None when it is gone."""
    if endpoint_id == DEFAULT_ENDPOINT:
        merchant = merchants_store.get_merchant(merchant_id)
        if not merchant or not merchant.get("webhook_url"):
            return None
        return merchant["webhook_url"], merchant["webhook_secret"], merchant.get("status") == "active"
    endpoint = store.objects.get(endpoint_id)
    if endpoint is None:
        return None
    return endpoint["url"], endpoint["secret"], endpoint["status"] == "enabled"


# --- fan-out ------------------------------------------------------------------------------------
Known = dict[tuple[str, str], tuple[list[dict[str, Any]], dict[str, Any] | None]]
"""What one batch has read per (merchant, mode): its endpoints and the merchant item."""


def subscribers(event: dict[str, Any], known: Known | None = None) -> list[tuple[str, str]]:
    """(endpoint id, url) of every enabled endpoint of the event's merchant and mode that wants it.

    With ``known`` (one dict per batch of events), the endpoints and the merchant are read once per
    merchant and mode for the whole batch instead of once per event: a payment's events mostly
    arrive together, and each read is a DynamoDB call on AWS."""
    key = (event["merchantid"], event["mode"])
    if known is not None and key in known:
        endpoints, merchant = known[key]
    else:
        endpoints = store.endpoints_of(*key)
        merchant = merchants_store.get_merchant(event["merchantid"])
        if known is not None:
            known[key] = (endpoints, merchant)
    found = [
        (e["id"], e["url"])
        for e in endpoints
        if e["status"] == "enabled" and ("*" in e["enabled_events"] or event["type"] in e["enabled_events"])
    ]
    if merchant and merchant.get("webhook_url") and merchant.get("status") == "active":
        found.append((DEFAULT_ENDPOINT, merchant["webhook_url"]))
    return found


def fan_out(event: dict[str, Any], only: str | None = None, known: Known | None = None) -> list[str]:
    """A delivery and its execution per subscribed endpoint (or only ``only``); returns delivery ids."""
    body = json.dumps(event, separators=(",", ":"))
    made = []
    chosen = subscribers(event, known) if only is None else [(only, _url_of(event, only))]
    for endpoint_id, url in chosen:
        delivery_id = derived_id("whd", event["id"], endpoint_id)
        now = clock.iso_now()
        delivery = {
            "id": delivery_id,
            "merchant_id": event["merchantid"],
            "mode": event["mode"],
            "event_id": event["id"],
            "event_type": event["type"],
            "endpoint_id": endpoint_id,
            "url": url,
            "body": body,  # byte-identical on every attempt
            "status": "pending",
            "attempt_count": 0,
            "attempts": [],
            "retries": 0,
            "created_at": now,
            "updated_at": now,
        }
        store.objects.put_new(store.objects.new_item("delivery", delivery))
        start_delivery(delivery_id, delivery_id)
        made.append(delivery_id)
    return made


def _url_of(event: dict[str, Any], endpoint_id: str) -> str:
    found = target(event["merchantid"], endpoint_id)
    return found[0] if found else ""


def start_delivery(delivery_id: str, execution_name: str) -> None:
    settings = WebhookEnv.load()
    schedule = TEST_SCHEDULE if settings.webhook_retry_intervals_test else SCHEDULE
    sfn = aws.client("stepfunctions")
    try:
        sfn.start_execution(
            stateMachineArn=settings.webhook_state_machine_arn,
            name=execution_name,
            input=json.dumps({"delivery_id": delivery_id, "schedule": schedule}),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        logger.info("delivery already started", extra={"delivery_id": delivery_id})


def ping(principal: Principal, endpoint_id: str) -> Delivery:
    """POST .../test: a ``ping`` event to this endpoint only."""
    _owned(principal, "endpoint", endpoint_id)
    return _ping(principal, endpoint_id)


def ping_default(principal: Principal) -> Delivery:
    """The dashboard's webhook test: a ``ping`` event to the merchant's own webhook_url."""
    if target(principal.merchant_id, DEFAULT_ENDPOINT) is None:
        raise BadRequest("set a webhook_url first", "webhook_url")
    return _ping(principal, DEFAULT_ENDPOINT)


def _ping(principal: Principal, endpoint_id: str) -> Delivery:
    now = clock.iso_now()
    event = {
        "specversion": "1.0",
        "id": new_id("evt"),
        "type": "ping",
        "source": f"/paygate/merchants/{principal.merchant_id}",
        "subject": endpoint_id,
        "time": now,
        "datacontenttype": "application/json",
        "merchantid": principal.merchant_id,
        "mode": principal.mode,
        "data": {"endpoint_id": endpoint_id},
    }
    (delivery_id,) = fan_out(event, only=endpoint_id)
    return Delivery.model_validate(store.objects.get(delivery_id))


# --- logs and retry -----------------------------------------------------------------------------
def list_deliveries(principal: Principal, limit: int, offset: int) -> DeliveryList:
    page = store.objects.list_for_merchant(principal.merchant_id, principal.mode, "delivery", limit, offset)
    return DeliveryList.of([Delivery.model_validate(i) for i in page.items], page.has_more)


def get_delivery(principal: Principal, delivery_id: str) -> DeliveryDetail:
    return DeliveryDetail.model_validate(_owned(principal, "delivery", delivery_id))


def retry_delivery(principal: Principal, delivery_id: str) -> DeliveryDetail:
    """Reset the attempt count and start a fresh execution (also for a failed delivery)."""
    found = _owned(principal, "delivery", delivery_id)
    retries = int(found.get("retries", 0)) + 1
    updated = dynamo.update(
        store.objects.change(
            delivery_id,
            {"status": "pending", "attempt_count": 0, "retries": retries, "next_retry_at": None,
             "updated_at": clock.iso_now()},
            "attribute_exists(pk)",
        )
    )  # fmt: skip
    start_delivery(delivery_id, f"{delivery_id}-retry-{retries}")
    return DeliveryDetail.model_validate(updated)
