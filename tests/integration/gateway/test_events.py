"""The outbox: every state change of the payments table reaches the EventBridge bus as a CloudEvent."""

from __future__ import annotations

import json
from typing import Any

import boto3
from localcloud.runtime import LocalCloud

from tests.helpers import wait_for
from tests.integration.gateway.client import Api

_seen: list[dict[str, Any]] = []


def _events(gateway: LocalCloud, subjects: set[str]) -> list[dict[str, Any]]:
    """Everything the bus delivered to the webhook queue so far, for these subjects."""
    sqs = boto3.client("sqs", region_name=gateway.region)
    url = gateway.physical("WebhookQueue")
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            break
        for message in messages:
            _seen.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [e for e in _seen if e["detail"]["subject"] in subjects]


def test_a_payment_lifecycle_publishes_its_events(api: Api, gateway: LocalCloud) -> None:
    # Given an order paid by UPI, captured, then refunded in part
    payment = api.paid(6_000)
    api.post(f"/api/v1/payments/{payment['id']}/capture")
    refund = api.created(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 1_000})
    processed = api.settled(f"/api/v1/refunds/{refund['id']}")
    subjects = {payment["order_id"], payment["id"], refund["id"]}
    expected = {
        payment["order_id"]: ["order.created", "order.paid"],
        payment["id"]: ["payment.created", "payment.pending", "payment.success", "payment.captured"],
        refund["id"]: ["refund.created", "refund.processed"],
    }

    # Then the bus carries exactly these events, as CloudEvents with the API's view of the object
    def complete() -> list[dict[str, Any]] | None:
        found = _events(gateway, subjects)
        return found if len(found) >= sum(map(len, expected.values())) else None

    events = wait_for(complete, what="the lifecycle's events")
    for subject, types in expected.items():
        mine = [e for e in events if e["detail"]["subject"] == subject]
        assert sorted(e["detail-type"] for e in mine) == sorted(types)
    for event in events:
        cloud_event = event["detail"]
        assert event["source"] == "paygate" and event["detail-type"] == cloud_event["type"]
        assert cloud_event["specversion"] == "1.0" and cloud_event["id"].startswith("evt_")
        assert cloud_event["source"].startswith("/paygate/merchants/mer_")
        assert (cloud_event["mode"], cloud_event["datacontenttype"]) == ("test", "application/json")
    assert len({e["detail"]["id"] for e in events}) == len(events)
    last = next(e["detail"] for e in events if e["detail"]["type"] == "refund.processed")
    assert last["data"] == processed


def test_a_replayed_stream_record_publishes_the_same_event_id(api: Api, gateway: LocalCloud) -> None:
    # Given a stream record of a new order, delivered twice (as a retried batch would be)
    order = api.order(2_500)
    image = boto3.client("dynamodb", region_name=gateway.region).get_item(
        TableName=gateway.physical("PaymentsTable"), Key={"pk": {"S": order["id"]}, "sk": {"S": "OBJ"}}
    )["Item"]
    record = {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "1", "NewImage": image}}
    wait_for(lambda: _events(gateway, {order["id"]}), what="the order's own event")
    before = len(_events(gateway, {order["id"]}))
    for _ in range(2):
        assert not gateway.function("PublishEvents").invoke({"Records": [record]}).failed

    # Then the bus carries the event twice more, with one id: consumers dedupe on it
    def replayed() -> list[dict[str, Any]] | None:
        found = _events(gateway, {order["id"]})
        return found if len(found) >= before + 2 else None

    events = wait_for(replayed, what="the replayed events")
    assert {e["detail"]["id"] for e in events} == {events[0]["detail"]["id"]}
    assert {e["detail-type"] for e in events} == {"order.created"}
