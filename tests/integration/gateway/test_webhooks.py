"""Events reach the merchant's receiver as signed webhooks, on the retry schedule, with logs."""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import itertools
import json
import os
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from localcloud.runtime import LocalCloud
from standardwebhooks import Webhook

from tests.helpers import wait_for
from tests.integration.gateway.client import Api, error_of
from tests.integration.gateway.conftest import executions, keys_of
from tests.integration.gateway.receiver import Receiver, start_receiver

SCALE = 0.1  # the gateway fixture's time scale: the test schedule 0/5/10/15/20 s runs as 0/0.5/1/1.5/2 s


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


def _endpoint(api: Api, receiver: Receiver, path: str, events: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"url": receiver.url + path, "description": path}
    if events is not None:
        body["enabled_events"] = events
    return api.created("/api/v1/webhook_endpoints", body)


def _verified(received: Any, secret: str) -> dict[str, Any]:
    """The event, once both signatures check out (Standard Webhooks library and the seed's hex HMAC)."""
    event = Webhook(secret).verify(received.body, received.headers)
    expected = hmac.new(secret.encode(), received.body.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["X-Webhook-Signature"], expected)
    assert received.headers["webhook-id"] == event["id"]
    return event


def test_a_payment_lifecycle_is_delivered_signed(api: Api, receiver: Receiver) -> None:
    # Given an endpoint for every event
    endpoint = _endpoint(api, receiver, "/all")
    assert endpoint["secret"].startswith("whsec_") and endpoint["status"] == "enabled"
    # When an order is paid, captured and partly refunded
    payment = api.paid(6_000)
    api.post(f"/api/v1/payments/{payment['id']}/capture")
    refund = api.created(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 1_000})
    processed = api.settled(f"/api/v1/refunds/{refund['id']}")
    subjects = {payment["order_id"], payment["id"], refund["id"]}
    expected = {
        payment["order_id"]: {"order.created", "order.paid"},
        payment["id"]: {"payment.created", "payment.pending", "payment.success", "payment.captured"},
        refund["id"]: {"refund.created", "refund.processed"},
    }

    def delivered() -> list[dict[str, Any]] | None:
        events = [_verified(r, endpoint["secret"]) for r in receiver.at("/all")]
        mine = [e for e in events if e["subject"] in subjects]
        return mine if len(mine) >= 8 else None

    # Then each event arrives once, verified with standardwebhooks and with the hex HMAC
    events = wait_for(delivered, what="the lifecycle's 8 webhooks")
    for subject, types in expected.items():
        assert sorted(e["type"] for e in events if e["subject"] == subject) == sorted(types)
    assert len({e["id"] for e in events}) == len(events)
    last = next(e for e in events if e["type"] == "refund.processed")
    assert last["data"] == processed and last["specversion"] == "1.0" and last["mode"] == "test"


def test_the_merchant_webhook_url_gets_events_signed_with_the_merchant_secret(
    admin: Api, gateway: LocalCloud, receiver: Receiver
) -> None:
    merchant = admin.created(
        "/api/v1/admin/merchants",
        {"name": "Hooked", "email": "hooked@example.com", "webhook_url": receiver.url + "/merchant"},
    )
    shop = Api.with_key(gateway.url, *keys_of(merchant, "test"))
    order = shop.order(1_000)
    received = wait_for(lambda: receiver.at("/merchant"), what="the merchant's own webhook")
    event = _verified(received[0], merchant["webhook_secret"])
    assert (event["type"], event["subject"]) == ("order.created", order["id"])


def _waits(gateway: LocalCloud, delivery_id: str) -> list[int]:
    """The seconds each webhook_delivery execution of the delivery waited (its input), by attempt."""
    sfn = boto3.client("stepfunctions", region_name=gateway.region)
    runs = [
        e for e in executions(gateway, "Webhooks/WebhookDelivery") if e["name"].startswith(f"{delivery_id}-")
    ]
    inputs = [json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in runs]
    return [i["wait_seconds"] for i in sorted(inputs, key=lambda i: i["attempt"])]


def test_retries_follow_the_schedule_and_the_log_shows_every_attempt(
    api: Api, receiver: Receiver, gateway: LocalCloud
) -> None:
    # Given a receiver that answers 500 twice, then 200
    receiver.scripts["/flaky"] = [500, 500]
    endpoint = _endpoint(api, receiver, "/flaky", ["order.created"])
    order = api.order(1_100)
    # Then it gets exactly 3 attempts, after waits of 5 s and 10 s (the test schedule, time-scaled here):
    # each retry's execution waited its interval, and the attempts are at least that far apart (an
    # upper bound would measure the shared machine, not the schedule)
    wait_for(
        lambda: len([r for r in receiver.at("/flaky") if order["id"] in r.body]) >= 3,
        timeout=45,
        what="3 attempts",
    )
    hits = [r for r in receiver.at("/flaky") if order["id"] in r.body]
    gaps = [b.at - a.at for a, b in itertools.pairwise(hits)]
    assert len(hits) == 3
    assert gaps[0] >= 5 * SCALE * 0.95 and gaps[1] >= 10 * SCALE * 0.95, gaps
    assert len({r.body for r in hits}) == 1  # byte-identical body on every attempt
    # and the delivery log shows all three with their codes
    log = api.get("/api/v1/webhooks", params={"limit": 100}).json()["items"]
    delivery = next(d for d in log if d["endpoint_id"] == endpoint["id"])
    assert _waits(gateway, delivery["id"]) == [5, 10]
    detail = wait_for(
        lambda: (d := api.get(f"/api/v1/webhooks/{delivery['id']}").json())["status"] == "succeeded" and d,
        what="the delivery to succeed",
    )
    assert [a["response_code"] for a in detail["attempts"]] == [500, 500, 200]
    assert detail["attempt_count"] == 3 and detail["next_retry_at"] is None


def test_a_receiver_down_for_good_fails_after_5_attempts_then_retry_delivers(
    api: Api, receiver: Receiver
) -> None:
    # Given an endpoint whose port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    endpoint = api.created(
        "/api/v1/webhook_endpoints",
        {"url": f"http://127.0.0.1:{dead_port}/down", "enabled_events": ["order.created"]},
    )
    api.order(1_200)
    log = lambda: [d for d in api.get("/api/v1/webhooks", params={"limit": 100}).json()["items"]  # noqa: E731
                   if d["endpoint_id"] == endpoint["id"]]  # fmt: skip
    # 5 attempts 0.5 + 1 + 1.5 + 2 s apart (scaled): a generous deadline, for a busy machine
    failed = wait_for(
        lambda: log() and log()[0]["status"] == "failed" and log()[0], timeout=45, what="5 failed attempts"
    )
    assert failed["attempt_count"] == 5
    detail = api.get(f"/api/v1/webhooks/{failed['id']}").json()
    assert len(detail["attempts"]) == 5 and all(a["error"] for a in detail["attempts"])
    # When the endpoint points at a live receiver again and the delivery is retried
    api.patch(f"/api/v1/webhook_endpoints/{endpoint['id']}", {"url": receiver.url + "/back"})
    retried = api.post(f"/api/v1/webhooks/{failed['id']}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    # Then it is delivered once
    wait_for(lambda: receiver.at("/back"), what="the retried delivery")
    done = wait_for(
        lambda: (d := api.get(f"/api/v1/webhooks/{failed['id']}").json())["status"] == "succeeded" and d,
        what="the retry to succeed",
    )
    assert len(receiver.at("/back")) == 1 and done["attempts"][-1]["response_code"] == 200


def test_endpoints_receive_only_their_events(api: Api, receiver: Receiver) -> None:
    orders_only = _endpoint(api, receiver, "/orders-only", ["order.created", "order.paid"])
    payments_only = _endpoint(api, receiver, "/payments-only", ["payment.success"])
    payment = api.paid(1_300)
    wait_for(lambda: len(receiver.at("/orders-only")) >= 2 and receiver.at("/payments-only"), what="both")
    order_events = {_verified(r, orders_only["secret"])["type"] for r in receiver.at("/orders-only")}
    payment_events = [_verified(r, payments_only["secret"]) for r in receiver.at("/payments-only")]
    assert order_events == {"order.created", "order.paid"}
    assert {e["type"] for e in payment_events} == {"payment.success"}  # (other tests' payments may land too)
    assert [e["subject"] for e in payment_events].count(payment["id"]) == 1


def test_a_replayed_stream_record_delivers_once_per_endpoint(
    api: Api, gateway: LocalCloud, receiver: Receiver
) -> None:
    _endpoint(api, receiver, "/replay", ["order.created"])
    order = api.order(1_400)
    wait_for(lambda: receiver.at("/replay"), what="the first delivery")
    image = boto3.client("dynamodb", region_name=gateway.region).get_item(
        TableName=gateway.physical("Payments/PaymentsTable"),
        Key={"pk": {"S": order["id"]}, "sk": {"S": "OBJ"}},
    )["Item"]
    record = {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "1", "NewImage": image}}
    for _ in range(2):
        assert not gateway.function("Payments/PublishEvents").invoke({"Records": [record]}).failed
    wait_for(lambda: api.get("/api/v1/test/jobs/status").json()["idle"], what="the replays to be handled")
    hits = [r for r in receiver.at("/replay") if order["id"] in r.body]
    assert len(hits) == 1
    assert json.loads(hits[0].body)["type"] == "order.created"


def test_ping_and_secret_rotation(api: Api, receiver: Receiver) -> None:
    endpoint = _endpoint(api, receiver, "/ping", ["order.paid"])
    rotated = api.post(f"/api/v1/webhook_endpoints/{endpoint['id']}/rotate_secret").json()
    assert rotated["secret"] != endpoint["secret"]
    ping = api.post(f"/api/v1/webhook_endpoints/{endpoint['id']}/test")
    assert ping.status_code == 201 and ping.json()["event_type"] == "ping"
    received = wait_for(lambda: receiver.at("/ping"), what="the ping")
    assert _verified(received[0], rotated["secret"])["type"] == "ping"
    with pytest.raises(Exception):  # noqa: B017 - the old secret no longer verifies
        Webhook(endpoint["secret"]).verify(received[0].body, received[0].headers)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "https://example.com/hook", "enabled_events": ["payment.teleported"]}, "enabled_events"),
        ({"url": "https://example.com/hook", "enabled_events": []}, "enabled_events"),
        ({"url": "http://169.254.169.254/latest/meta-data"}, "url"),
        ({"url": "http://10.0.0.8/hook"}, "url"),
        ({"url": "https://example.com:99999/hook"}, "url"),
        ({"url": "https://example.com:\u00f2/hook"}, "url"),
    ],
)
def test_bad_endpoints_are_refused(api: Api, body: dict[str, Any], field: str) -> None:
    before = api.get("/api/v1/webhook_endpoints", params={"limit": 100}).json()["count"]
    response = api.post("/api/v1/webhook_endpoints", body)
    assert response.status_code == 400 and error_of(response)["field"] == field
    assert api.get("/api/v1/webhook_endpoints", params={"limit": 100}).json()["count"] == before


def test_live_mode_refuses_http_and_loopback(gateway: LocalCloud, second_merchant: dict[str, Any]) -> None:
    live = Api.with_key(gateway.url, *keys_of(second_merchant, "live"))
    for url in ("http://example.com/hook", "https://127.0.0.1/hook"):
        response = live.post("/api/v1/webhook_endpoints", {"url": url})
        assert response.status_code == 400 and error_of(response)["field"] == "url", url


def test_another_merchants_endpoint_and_delivery_are_404(
    api: Api, gateway: LocalCloud, receiver: Receiver, second_merchant: dict[str, Any]
) -> None:
    endpoint = _endpoint(api, receiver, "/mine", ["order.created"])
    api.order(1_500)
    delivery = wait_for(
        lambda: next((d for d in api.get("/api/v1/webhooks", params={"limit": 100}).json()["items"]
                      if d["endpoint_id"] == endpoint["id"]), None),
        what="a delivery",
    )  # fmt: skip
    other = Api.with_key(gateway.url, *keys_of(second_merchant, "test"))
    for response in (
        other.get(f"/api/v1/webhook_endpoints/{endpoint['id']}"),
        other.patch(f"/api/v1/webhook_endpoints/{endpoint['id']}", {"description": "x"}),
        other.session.delete(f"{gateway.url}/api/v1/webhook_endpoints/{endpoint['id']}", timeout=10),
        other.post(f"/api/v1/webhook_endpoints/{endpoint['id']}/rotate_secret"),
        other.post(f"/api/v1/webhook_endpoints/{endpoint['id']}/test"),
        other.get(f"/api/v1/webhooks/{delivery['id']}"),
        other.post(f"/api/v1/webhooks/{delivery['id']}/retry"),
    ):
        assert response.status_code == 404, response.text
    assert api.get(f"/api/v1/webhook_endpoints/{endpoint['id']}").json()["description"] == "/mine"


def test_410_gone_disables_the_endpoint(api: Api, receiver: Receiver) -> None:
    receiver.scripts["/gone"] = [410]
    endpoint = _endpoint(api, receiver, "/gone", ["order.created"])
    api.order(1_600)
    wait_for(
        lambda: api.get(f"/api/v1/webhook_endpoints/{endpoint['id']}").json()["status"] == "disabled",
        what="the endpoint to be disabled",
    )
    assert len(receiver.at("/gone")) == 1
    later = api.order(1_601)  # no more deliveries to it
    wait_for(lambda: any(later["id"] in r.body for r in receiver.received), what="the later order's webhooks")
    assert len(receiver.at("/gone")) == 1


def test_a_longer_retry_after_is_honoured(api: Api, receiver: Receiver, gateway: LocalCloud) -> None:
    # 503 with Retry-After 30 s: longer than the next interval (5 s), so the wait is 30 s (scaled: 3 s)
    receiver.scripts["/busy"] = [(503, {"Retry-After": "30"})]
    endpoint = _endpoint(api, receiver, "/busy", ["order.created"])
    order = api.order(1_700)
    mine = lambda: [r for r in receiver.at("/busy") if order["id"] in r.body]  # noqa: E731
    wait_for(lambda: len(mine()) >= 2, timeout=20, what="the second attempt")
    first, second = mine()[:2]
    assert second.at - first.at >= 30 * SCALE * 0.95
    log = api.get("/api/v1/webhooks", params={"limit": 100}).json()["items"]
    delivery = next(d for d in log if d["endpoint_id"] == endpoint["id"])
    assert _waits(gateway, delivery["id"]) == [30]


def test_a_delivery_to_a_disabled_endpoint_fails_at_its_next_attempt(api: Api, receiver: Receiver) -> None:
    # Given a delivery waiting for its second attempt (the receiver answered 500)
    receiver.scripts["/disabled"] = [500]
    endpoint = _endpoint(api, receiver, "/disabled", ["order.created"])
    order = api.order(1_800)
    wait_for(lambda: any(order["id"] in r.body for r in receiver.at("/disabled")), what="the first attempt")
    # When the merchant disables the endpoint
    api.patch(f"/api/v1/webhook_endpoints/{endpoint['id']}", {"status": "disabled"})
    # Then the next attempt does not send and the delivery fails, without waiting out the schedule
    log = lambda: [d for d in api.get("/api/v1/webhooks", params={"limit": 100}).json()["items"]  # noqa: E731
                   if d["endpoint_id"] == endpoint["id"]]  # fmt: skip
    failed = wait_for(lambda: log()[0]["status"] == "failed" and log()[0], what="the delivery to fail")
    assert failed["attempt_count"] == 2
    assert len([r for r in receiver.at("/disabled") if order["id"] in r.body]) == 1


def test_a_batch_of_events_reads_a_merchants_endpoints_once(
    gateway: LocalCloud, admin: Api, receiver: Receiver
) -> None:
    """The fan-out (DeliverWebhook, in the merchant's turn on the fair delivery queue) reads endpoints
    and merchant once per merchant and mode per batch."""
    from paygate.core import aws

    merchant = admin.created("/api/v1/admin/merchants", {"name": "Batch Shop", "email": "batch@example.com"})
    shop = Api.with_key(gateway.url, *keys_of(merchant, "test"))
    shop.created("/api/v1/webhook_endpoints", {"url": receiver.url + "/batch"})
    events = [
        {"id": f"evt_batch{n}", "type": "payment.captured", "merchantid": merchant["id"], "mode": "test"}
        for n in range(3)
    ]
    records = [
        {
            "messageId": str(n),
            "receiptHandle": str(n),
            "body": json.dumps({"event": event}),  # as DispatchWebhooks queues it
            "attributes": {},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": gateway.attribute("Webhooks/WebhookDeliveryQueue", "Arn"),
            "awsRegion": gateway.region,
        }
        for n, event in enumerate(events)
    ]
    calls: list[str] = []
    invoked_here = contextvars.ContextVar("invoked_here", default=False)

    def count(model: Any, params: Any = None, **_kwargs: Any) -> None:
        # the calls of this invocation only (its worker threads run in copies of this thread's context):
        # the queue's consumer, in its own threads, may meanwhile deliver other tests' events or attempt
        # this merchant's first deliveries, later on a loaded machine
        if not invoked_here.get() or merchant["id"] not in json.dumps(params, default=str):
            return
        if os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "").endswith("-DeliverWebhook"):
            calls.append(model.name)

    dynamodb = aws.client("dynamodb")
    dynamodb.meta.events.register("before-call", count)
    marked = invoked_here.set(True)
    try:
        outcome = gateway.function("Webhooks/DeliverWebhook").invoke({"Records": records})
    finally:
        invoked_here.reset(marked)
        dynamodb.meta.events.unregister("before-call", count)
    assert not outcome.failed and outcome.payload == {"batchItemFailures": []}
    assert calls.count("Query") == 1 and calls.count("GetItem") == 1  # not 3 and 3
    assert calls.count("PutItem") == 6  # per event: its body, once, and a delivery for the one endpoint
    deliveries = shop.get("/api/v1/webhooks?limit=10").json()["items"]
    assert sorted(d["event_id"] for d in deliveries) == [e["id"] for e in events]
    wait_for(
        lambda: len([r for r in list(receiver.received) if r.path == "/batch"]) >= 3,
        timeout=45,
        what="3 deliveries",
    )
