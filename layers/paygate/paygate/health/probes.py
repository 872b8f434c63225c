"""One cheap control-plane read per dependency: DescribeTable, GetQueueAttributes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError

from paygate.core import aws
from paygate.health.models import DependencyCheck


def _timed(name: str, kind: Literal["dynamodb", "sqs"], probe: Callable[[], bool]) -> DependencyCheck:
    started = time.perf_counter()
    try:
        ok, error = probe(), None
    except ClientError as exc:
        ok, error = False, exc.response.get("Error", {}).get("Code", "ClientError")
    except BotoCoreError as exc:
        ok, error = False, type(exc).__name__
    latency = int((time.perf_counter() - started) * 1000)
    if not ok and error is None:
        error = "not active"
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
