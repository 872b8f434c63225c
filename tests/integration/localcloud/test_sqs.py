"""SQS event-source mapping: batches, ReportBatchItemFailures, visibility timeout and redrive to the DLQ."""

from __future__ import annotations

import uuid

import boto3
from localcloud.runtime import LocalCloud
from paygate_cli.dlq import redrive

from tests.helpers import wait_for
from tests.integration.localcloud.conftest import recorded


def _drain(sqs, url: str) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])


def test_one_failed_record_is_redelivered_alone_then_dead_lettered(cloud: LocalCloud, results) -> None:
    sqs = boto3.client("sqs", region_name=cloud.region)
    run = uuid.uuid4().hex[:8]
    bodies = [f"{run}-ok-1", f"{run}-fail", f"{run}-ok-2"]
    sent = sqs.send_message_batch(
        QueueUrl=cloud.physical("WorkQueue"),
        Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies)],
    )["Successful"]
    ids = {entry["MessageId"]: bodies[int(entry["Id"])] for entry in sent}

    def deliveries() -> list[dict]:
        return [r for r in recorded(results, "sqs:lct-WorkQueue") if r["body"].startswith(run)]

    # maxReceiveCount 2: the failing record is handled twice, then the next receive moves it to the DLQ
    dead = wait_for(lambda: _drain(sqs, cloud.physical("WorkDeadLetterQueue")), what="the DLQ message")
    assert [message["Body"] for message in dead] == [f"{run}-fail"]

    by_body: dict[str, list[dict]] = {}
    for record in deliveries():
        by_body.setdefault(record["body"], []).append(record)
    assert {body: len(records) for body, records in by_body.items()} == {
        bodies[0]: 1,
        bodies[1]: 2,
        bodies[2]: 1,
    }
    first, second = sorted(by_body[f"{run}-fail"], key=lambda r: r["attributes"]["ApproximateReceiveCount"])
    assert (
        first["attributes"]["ApproximateReceiveCount"],
        second["attributes"]["ApproximateReceiveCount"],
    ) == (
        "1",
        "2",
    )
    assert first["batch_size"] == 3  # the three arrived as one batch
    assert second["batch_size"] == 1  # only the failed record came back
    assert set(ids) == {r["messageId"] for r in deliveries()}
    record = by_body[bodies[0]][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == cloud.attribute("WorkQueue", "Arn")
    assert record["awsRegion"] == "us-east-1"
    assert {"SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])


def test_a_raising_handler_fails_the_whole_batch_which_returns_until_the_dlq(
    cloud: LocalCloud, results
) -> None:
    sqs = boto3.client("sqs", region_name=cloud.region)
    body = f"{uuid.uuid4().hex[:8]}-boom"
    sqs.send_message(QueueUrl=cloud.physical("CrashQueue"), MessageBody=body)

    dead = wait_for(lambda: _drain(sqs, cloud.physical("CrashDeadLetterQueue")), what="the crash DLQ message")
    assert [message["Body"] for message in dead] == [body]
    attempts = [r for r in recorded(results, "sqs:lct-CrashQueue") if r["body"] == body]
    assert sorted(r["attributes"]["ApproximateReceiveCount"] for r in attempts) == ["1", "2"]
    assert _drain(sqs, cloud.physical("CrashQueue")) == []


def test_redrive_moves_dead_letters_back_to_their_queue_and_its_consumer(cloud: LocalCloud, results) -> None:
    """`paygate dlq redrive`'s redrive, on a client of localcloud's process (it serves no SQS endpoint):
    every DLQ, queues without a RedrivePolicy skipped."""
    sqs = boto3.client("sqs", region_name=cloud.region)
    body = f"{uuid.uuid4().hex[:8]}-ok-redriven"
    sqs.send_message(QueueUrl=cloud.physical("WorkDeadLetterQueue"), MessageBody=body)

    moved = redrive(sqs)

    assert moved.get("lct-WorkDeadLetterQueue", 0) >= 1
    wait_for(
        lambda: [r for r in recorded(results, "sqs:lct-WorkQueue") if r["body"] == body],
        what="the redriven message at the WorkQueue consumer",
    )
    assert body not in [m["Body"] for m in _drain(sqs, cloud.physical("WorkDeadLetterQueue"))]
