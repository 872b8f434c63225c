"""Webhook use cases: endpoints (CRUD, rotation; at most 16 per merchant and mode), fan-out of events
to deliveries, delivery logs and manual retry. One delivery per (event, endpoint), id derived from
both, its attempts queued on the fair delivery queue (``delivery_queue``) and claimed before each
send, so a duplicated event never delivers twice. Nothing is sent for a suspended merchant."""

from __future__ import annotations

import json
from typing import Any

from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, EndpointLimitReached, NotFound
from paygate.core.ids import derived_id, new_id
from paygate.merchants import store as merchants_store
from paygate.merchants.models import Mode, Principal
from paygate.merchants.own_webhook import own_webhook
from paygate.webhooks import signing, store
from paygate.webhooks.delivery_queue import Queued, enqueue
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
DEFAULT_ENDPOINT = "default"  # the merchant's own webhook URL + secret of the event's mode (seed contract)


def _owned(principal: Principal, kind: str, object_id: str) -> dict[str, Any]:
    item = store.objects.owned(object_id, kind, principal.merchant_id, principal.mode)
    if item is None:
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
    outcome = store.insert_endpoint(store.objects.new_item("endpoint", endpoint))
    if outcome == "exists":  # the same create run again (Idempotency-Key): the endpoint as stored
        return EndpointWithSecret.model_validate(_owned(principal, "endpoint", endpoint["id"]))
    if outcome == "full":
        raise EndpointLimitReached(
            f"at most {store.ENDPOINT_LIMIT} webhook endpoints per mode: delete one before adding another",
            "url",
        )
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
    if not store.remove_endpoint(endpoint_id, principal.merchant_id, principal.mode):
        raise NotFound(f"no webhook endpoint {endpoint_id}", "id")
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


def target(merchant_id: str, endpoint_id: str, mode: Mode | None = None) -> tuple[str, str, bool] | None:
    """(url, secret, enabled) of an endpoint now, or None when it is gone. The ``default`` endpoint is
    the merchant's own webhook of ``mode`` (the delivery's): without a mode there is none (fail closed:
    never another mode's URL or secret)."""
    if endpoint_id == DEFAULT_ENDPOINT:
        merchant = merchants_store.get_merchant(merchant_id)
        own = own_webhook(merchant, mode) if merchant and mode else None
        if merchant is None or own is None:
            return None
        return own[0], own[1], merchant.get("status") == "active"
    endpoint = store.objects.get(endpoint_id)
    if endpoint is None:
        return None
    return endpoint["url"], endpoint["secret"], endpoint["status"] == "enabled"


# --- fan-out ------------------------------------------------------------------------------------
Known = dict[tuple[str, str], tuple[list[dict[str, Any]], dict[str, Any] | None]]
"""What one batch has read per (merchant, mode): its endpoints and the merchant item."""


def _tenant(event: dict[str, Any], known: Known | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Every endpoint (all pages) of the event's merchant and mode, and the merchant item.

    With ``known`` (one dict per batch of events), they are read once per merchant and mode for the
    whole batch instead of once per event: a payment's events mostly arrive together, and each read
    is a DynamoDB call on AWS."""
    key = (event["merchantid"], event["mode"])
    if known is not None and key in known:
        return known[key]
    found = (store.endpoints_of(*key), merchants_store.get_merchant(event["merchantid"]))
    if known is not None:
        known[key] = found
    return found


def subscribers(event: dict[str, Any], known: Known | None = None) -> list[tuple[str, str]]:
    """(endpoint id, url) of every enabled endpoint of the event's merchant and mode that wants it,
    and the merchant's own webhook of that mode (``default``)."""
    endpoints, merchant = _tenant(event, known)
    found = [
        (e["id"], e["url"])
        for e in endpoints
        if e["status"] == "enabled" and ("*" in e["enabled_events"] or event["type"] in e["enabled_events"])
    ]
    own = own_webhook(merchant, event["mode"])
    if merchant and own:  # (a suspended merchant's deliveries are made, as failed: see fan_out)
        found.append((DEFAULT_ENDPOINT, own[0]))
    return found


def fan_out(event: dict[str, Any], only: str | None = None, known: Known | None = None) -> list[str]:
    """A delivery per subscribed endpoint (or only ``only``), its first attempt queued; returns the
    delivery ids."""
    made, queued = deliveries_for(event, only, known)
    enqueue(queued)
    return made


def deliveries_for(
    event: dict[str, Any], only: str | None = None, known: Known | None = None
) -> tuple[list[str], list[Queued]]:
    """The deliveries of an event, written: their ids, and the first attempts to queue. A suspended
    merchant's deliveries are recorded failed (``merchant_suspended``) and none is queued: nothing
    leaves for a suspended account (its log shows what it missed; a retry once active sends it)."""
    body = json.dumps(event, separators=(",", ":"))
    made: list[str] = []
    queued: list[Queued] = []
    merchant = _tenant(event, known)[1] if only is None else merchants_store.get_merchant(event["merchantid"])
    suspended = merchant is None or merchant.get("status") != "active"
    chosen = subscribers(event, known) if only is None else [(only, _url_of(event, only))]
    if chosen:  # once per event, before its deliveries: every attempt of each POSTs these bytes
        store.put_body(event["id"], event["merchantid"], event["mode"], body)
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
            "status": "failed" if suspended else "pending",
            "failure_reason": "merchant_suspended" if suspended else None,
            "attempt_count": 0,
            "attempts": [],
            "retries": 0,
            "created_at": now,
            "updated_at": now,
        }
        # queued even when it existed (a replayed event): the attempt's claim makes that a no-op
        store.objects.put_new(store.objects.new_item("delivery", delivery))
        made.append(delivery_id)
        if not suspended:
            queued.append(Queued(delivery_id, event["merchantid"], event["mode"]))
    return made, queued


def _url_of(event: dict[str, Any], endpoint_id: str) -> str:
    found = target(event["merchantid"], endpoint_id, event["mode"])
    return found[0] if found else ""


def ping(principal: Principal, endpoint_id: str) -> Delivery:
    """POST .../test: a ``ping`` event to this endpoint only."""
    _owned(principal, "endpoint", endpoint_id)
    return _ping(principal, endpoint_id)


def ping_default(principal: Principal) -> Delivery:
    """The dashboard's webhook test: a ``ping`` event to the merchant's own webhook_url."""
    if target(principal.merchant_id, DEFAULT_ENDPOINT, principal.mode) is None:
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
    """Reset the attempt count and queue a first attempt of a new generation (also for a failed
    delivery); messages of the earlier generation still on their way then do nothing."""
    found = _owned(principal, "delivery", delivery_id)
    retries = int(found.get("retries", 0)) + 1
    updated = dynamo.update(
        store.objects.change(
            delivery_id,
            {"status": "pending", "attempt_count": 0, "retries": retries, "next_retry_at": None,
             "failure_reason": None, "updated_at": clock.iso_now()},
            "attribute_exists(pk)",
        )
    )  # fmt: skip
    enqueue([Queued(delivery_id, found["merchant_id"], found["mode"], generation=retries)])
    return DeliveryDetail.model_validate(updated)
