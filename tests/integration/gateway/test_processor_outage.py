"""Step Functions only where work waits (issue 16): a happy lifecycle (payment, refund, their webhooks)
starts no execution; a payment whose first attempt meets a processor outage, and a delivery that fails
once, each start exactly one, which waits and retries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from localcloud.runtime import LocalCloud

from tests.helpers import wait_for
from tests.integration.gateway.client import Api, card
from tests.integration.gateway.conftest import executions, keys_of
from tests.integration.gateway.receiver import Receiver, start_receiver


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


@pytest.fixture(scope="module")
def shop(admin: Api, gateway: LocalCloud) -> Api:
    """A merchant of this module's own: no other test's endpoints retry on its behalf."""
    made = admin.created("/api/v1/admin/merchants", {"name": "Quiet Shop", "email": "quiet@example.com"})
    return Api.with_key(gateway.url, *keys_of(made, "test"))


def _history(gateway: LocalCloud, execution: dict[str, Any]) -> list[dict[str, Any]]:
    sfn = boto3.client("stepfunctions", region_name=gateway.region)
    return sfn.get_execution_history(executionArn=execution["executionArn"])["events"]


def _deliveries(shop: Api, count: int) -> list[dict[str, Any]]:
    def settled() -> list[dict[str, Any]] | None:
        items = shop.get("/api/v1/webhooks", params={"limit": 100}).json()["items"]
        done = [d for d in items if d["status"] != "pending"]
        return done if len(done) >= count and len(done) == len(items) else None

    return wait_for(settled, timeout=30, what=f"{count} settled deliveries")


def test_a_happy_lifecycle_starts_no_execution(shop: Api, receiver: Receiver, gateway: LocalCloud) -> None:
    # Given an endpoint that answers 200, and a payment that succeeds and is refunded
    shop.created("/api/v1/webhook_endpoints", {"url": receiver.url + "/happy"})
    payment = shop.paid(2_000, card())
    refund = shop.created(f"/api/v1/payments/{payment['id']}/refunds", {})
    shop.settled(f"/api/v1/refunds/{refund['id']}")
    # When every event of it has been delivered
    deliveries = _deliveries(shop, 7)
    assert {d["status"] for d in deliveries} == {"succeeded"}
    # Then no execution of either workflow was started for any of it
    assert payment["id"] not in {e["name"] for e in executions(gateway, "Payments/PaymentProcessing")}
    ids = {d["id"] for d in deliveries}
    webhook_runs = [e["name"] for e in executions(gateway, "Webhooks/WebhookDelivery")]
    assert not [name for name in webhook_runs if name.split("-")[0] in ids]


def test_a_delivery_that_fails_once_starts_one_execution(
    shop: Api, receiver: Receiver, gateway: LocalCloud
) -> None:
    # Given an endpoint (for ping events) that answers 500 once, then 200
    receiver.scripts["/once"] = [500]
    endpoint = shop.created(
        "/api/v1/webhook_endpoints", {"url": receiver.url + "/once", "enabled_events": ["ping"]}
    )
    # When it is sent a test event
    sent = shop.post(f"/api/v1/webhook_endpoints/{endpoint['id']}/test")
    assert sent.status_code in (200, 201), sent.text
    delivery_id = sent.json()["id"]
    done = wait_for(
        lambda: (d := shop.get(f"/api/v1/webhooks/{delivery_id}").json())["status"] == "succeeded" and d,
        timeout=30,
        what="the delivery to succeed on its second attempt",
    )
    assert done["attempt_count"] == 2
    # Then exactly one execution waited for its retry, and its history shows the schedule's Wait
    runs = [
        e for e in executions(gateway, "Webhooks/WebhookDelivery") if e["name"].split("-")[0] == delivery_id
    ]
    assert len(runs) == 1
    assert any(e["type"] == "WaitStateEntered" for e in _history(gateway, runs[0]))


def test_a_processor_outage_is_retried_by_the_workflow(shop: Api, gateway: LocalCloud) -> None:
    # Given the test card whose first two processing attempts meet a processor outage
    payment = shop.paid(3_000, card("4000000000000119"))
    # Then the payment still succeeds: the first attempt (off the queue) failed and started the
    # payment's one retry execution, which waited, failed once more, and succeeded on its retry
    assert payment["status"] == "success"
    runs = [e for e in executions(gateway, "Payments/PaymentProcessing") if e["name"] == payment["id"]]
    assert len(runs) == 1
    events = _history(gateway, runs[0])
    assert any(e["type"] == "WaitStateEntered" for e in events)
    failures = [e for e in events if e["type"] in ("LambdaFunctionFailed", "TaskFailed")]
    errors = [f.get("taskFailedEventDetails", f.get("lambdaFunctionFailedEventDetails", {})).get("error")
              for f in failures]  # fmt: skip
    assert errors == ["ProcessorUnavailable"]
