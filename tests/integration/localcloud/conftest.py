"""One localcloud running the test application for every test of this package."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from localcloud.runtime import LocalCloud

from tests.helpers import TEST_APP


@pytest.fixture(scope="package")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(TEST_APP, port=0, stack_name="lct") as running:
        yield running


@pytest.fixture(scope="package")
def results(cloud: LocalCloud) -> Any:
    return boto3.resource("dynamodb", region_name=cloud.region).Table(cloud.physical("ResultsTable"))


def recorded(results: Any, kind: str) -> list[dict[str, Any]]:
    """Payloads the Recorder function saved under ``kind`` (e.g. ``sqs:lct-WorkQueue``, ``stream``)."""
    items = results.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": kind}, ConsistentRead=True
    )["Items"]
    return [json.loads(item["payload"]) for item in items]
