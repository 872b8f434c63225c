"""One cheap read per dependency (DescribeTable, GetQueueAttributes) and per start step (GetItem)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError

from paygate.core import aws
from paygate.core.ids import derived_id
from paygate.health.models import DependencyCheck
from paygate.merchants import store as merchants_store
from paygate.merchants.service import SEED_EMAIL

Kind = Literal["dynamodb", "sqs", "start_step"]


def _timed(name: str, kind: Kind, probe: Callable[[], bool], missing: str = "not active") -> DependencyCheck:
    started = time.perf_counter()
    try:
        ok, error = probe(), None
    except ClientError as exc:
        ok, error = False, exc.response.get("Error", {}).get("Code", "ClientError")
    except BotoCoreError as exc:
        ok, error = False, type(exc).__name__
    latency = int((time.perf_counter() - started) * 1000)
    if not ok and error is None:
        error = missing
    return DependencyCheck(
        name=name, kind=kind, status="ok" if ok else "error", latency_ms=latency, error=error
    )


def table(name: str) -> DependencyCheck:
    def probe() -> bool:
        return aws.client("dynamodb").describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"

    return _timed(name, "dynamodb", probe)


def queue(url: str) -> DependencyCheck:
    def probe() -> bool:
        aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return True

    return _timed(url.rsplit("/", 1)[-1], "sqs", probe)


def seeded_test_merchant() -> DependencyCheck:
    """The start step of a test-mode stack: the documented merchant exists (SeedTestMerchant ran).

    localcloud runs it before it listens; on AWS the deploy script invokes it after the stack is up,
    and until then the key the README promises would be refused. The merchant, not its key, is looked
    for: a merchant may rotate the seeded key, and the stack is still ready."""

    def probe() -> bool:
        return merchants_store.get_merchant(derived_id("mer", "seed", SEED_EMAIL)) is not None

    return _timed("seed_test_merchant", "start_step", probe, missing="not run yet")
