"""localcloud's SQS fair queues: a standard queue hands a quiet tenant's message out before a noisy
tenant's backlog (as AWS's fair queues do), and keeps plain first-in-first-out without group ids."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from localcloud import fairqueues
from moto import mock_aws


@pytest.fixture
def sqs() -> Iterator[tuple[object, str]]:
    with mock_aws():
        fairqueues.install()
        try:
            client = boto3.client("sqs", region_name="us-east-1")
            yield client, client.create_queue(QueueName="work")["QueueUrl"]
        finally:
            fairqueues.uninstall()


def _receive(client: object, url: str) -> list[str]:
    found = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]  # type: ignore[attr-defined]
    return [m["Body"] for m in found]


def test_a_quiet_tenants_message_comes_in_the_next_receive(sqs: tuple[object, str]) -> None:
    client, url = sqs
    # Given tenant A's backlog of 50 messages, then one message of tenant B
    for start in range(0, 50, 10):
        batch = range(start, start + 10)
        entries = [{"Id": str(n), "MessageBody": f"a{n}", "MessageGroupId": "A"} for n in batch]
        client.send_message_batch(QueueUrl=url, Entries=entries)  # type: ignore[attr-defined]
    client.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="B")  # type: ignore[attr-defined]
    # Then the next receive of ten holds B's message, and A's come in their order
    first = _receive(client, url)
    assert "b0" in first
    assert [body for body in first if body != "b0"] == [f"a{n}" for n in range(9)]


def test_without_group_ids_the_order_is_first_in_first_out(sqs: tuple[object, str]) -> None:
    client, url = sqs
    for n in range(15):
        client.send_message(QueueUrl=url, MessageBody=f"m{n}")  # type: ignore[attr-defined]
    assert _receive(client, url) == [f"m{n}" for n in range(10)]
