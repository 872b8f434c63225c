"""GET /api/v1/health, the first real function: reports each dependency it can reach and, in test mode,
whether the start step (the seed) ran."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
import requests
from localcloud.runtime import LocalCloud
from paygate.core.ids import derived_id

from tests.integration.gateway.client import SEED_EMAIL


def test_health_reports_every_table_and_queue_ok(gateway: LocalCloud) -> None:
    response = requests.get(f"{gateway.url}/api/v1/health", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    report = response.json()
    assert report["status"] == "ok"
    checks = {(check["kind"], check["name"]): check["status"] for check in report["checks"]}
    assert checks == {
        ("dynamodb", "paygate-merchants"): "ok",
        ("dynamodb", "paygate-payments"): "ok",
        ("dynamodb", "paygate-idempotency"): "ok",
        ("sqs", "paygate-webhooks"): "ok",
        ("start_step", "seed_test_merchant"): "ok",  # test mode: the seed ran
    }
    assert all(isinstance(check["latency_ms"], int) for check in report["checks"])


def test_health_is_503_starting_while_the_seeded_merchant_is_missing(gateway: LocalCloud) -> None:
    # Given: a test-mode stack whose start step has not run (on AWS: deployed, seed not yet invoked)
    table = boto3.resource("dynamodb", region_name=gateway.region).Table(
        gateway.physical("Merchants/MerchantsTable")
    )
    key = {"pk": f"MERCHANT#{derived_id('mer', 'seed', SEED_EMAIL)}", "sk": "PROFILE"}
    profile = table.get_item(Key=key, ConsistentRead=True)["Item"]
    table.delete_item(Key=key)
    try:
        # When
        response = requests.get(f"{gateway.url}/api/v1/health", timeout=10)
        # Then: not ready, and it says which step is missing
        assert response.status_code == 503
        report = response.json()
        assert report["status"] == "starting"
        failing = [check for check in report["checks"] if check["status"] != "ok"]
        assert [(c["kind"], c["name"], c["error"]) for c in failing] == [
            ("start_step", "seed_test_merchant", "not run yet")
        ]
    finally:
        table.put_item(Item=profile)
    assert requests.get(f"{gateway.url}/api/v1/health", timeout=10).status_code == 200


def test_health_under_concurrent_load_is_always_200(gateway: LocalCloud) -> None:
    # Powertools Metrics keeps its metric set on the class; localcloud keeps it per invocation,
    # as separate execution environments would (a shared set made ~1 % of these fail with 502).
    def call(_: int) -> int:
        return requests.get(f"{gateway.url}/api/v1/health", timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(call, range(200)))
    assert statuses == [200] * 200


def test_health_is_503_naming_the_dependency_that_is_gone(gateway: LocalCloud) -> None:
    sqs = boto3.client("sqs", region_name=gateway.region)
    url = gateway.physical("Webhooks/WebhookQueue")
    kept = ("VisibilityTimeout", "RedrivePolicy", "SqsManagedSseEnabled")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(kept))["Attributes"]
    sqs.delete_queue(QueueUrl=url)
    try:
        response = requests.get(f"{gateway.url}/api/v1/health", timeout=10)
        assert response.status_code == 503
        report = response.json()
        assert report["status"] == "degraded"
        failing = [check for check in report["checks"] if check["status"] != "ok"]
        assert [(check["kind"], check["name"]) for check in failing] == [("sqs", "paygate-webhooks")]
        assert "NonExistentQueue" in failing[0]["error"]
    finally:  # as it was, for the tests after this one (its dead-letter queue, its alarm...)
        sqs.create_queue(QueueName=url.rsplit("/", 1)[-1], Attributes=attributes)
