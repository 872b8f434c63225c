"""Event-source mappings with the Lambda service's semantics: SQS queues and DynamoDB streams.

moto's own SQS mapping runs the handler inside ``SendMessage``, one record at a time; the Lambda
service instead polls. So does this: one poller thread per mapping, talking to moto through the SQS
and DynamoDB Streams APIs, so visibility timeouts, receive counts and redrive are moto's.

SQS: long-poll up to BatchSize (and MaximumBatchingWindowInSeconds), invoke with the batch; on
success delete the batch, or with ``ReportBatchItemFailures`` all but the reported ids (an unknown
or empty id fails the whole batch, as on AWS); on a function error delete nothing, so every message
comes back after the visibility timeout (time-scaled, see ``_return_later``) and moves to the DLQ
after maxReceiveCount receives.
Messages a FilterCriteria pattern does not match are deleted unprocessed, as on AWS.

Streams: read the shard in order, invoke with up to BatchSize records; on a function error retry the
same batch (blocking the shard, as on AWS) until MaximumRetryAttempts; with ReportBatchItemFailures
retry from the first reported sequence number. A batch given up on is discarded; with
``DestinationConfig.OnFailure`` (an SQS queue) Lambda's invocation record of it (the shard and the
sequence-number range, not the records) is sent there first.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.dynamodbstreams.models import dynamodbstreams_backends

from localcloud import timescale
from localcloud.lambdas import LambdaFunction
from localcloud.logs import log
from localcloud.mapping_records import matches, stream_record
from localcloud.provision import ACCOUNT, EventSourceMapping


def item_failures(payload: Any, ids: set[str]) -> set[str] | None:
    """The reported failed ids; None when the response itself fails the batch."""
    if not isinstance(payload, dict) or "batchItemFailures" not in payload:
        return set()
    failures = payload["batchItemFailures"]
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    found: set[str] = set()
    for failure in failures:
        ident = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not ident or ident not in ids:
            return None
        found.add(ident)
    return found


class Poller(threading.Thread):
    def __init__(self, mapping: EventSourceMapping, function: LambdaFunction, region: str) -> None:
        super().__init__(name=f"esm-{mapping.logical_id}", daemon=True)
        self.mapping = mapping
        self.function = function
        self.region = region
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception(
                    "event source poller failed; retrying", extra={"mapping": self.mapping.logical_id}
                )
                self.stopping.wait(1)

    def poll_once(self) -> None:
        raise NotImplementedError


class SqsPoller(Poller):
    def __init__(self, mapping: EventSourceMapping, function: LambdaFunction, region: str) -> None:
        super().__init__(mapping, function, region)
        self.sqs = boto3.client("sqs", region_name=region)
        name = mapping.source_arn.rsplit(":", 1)[-1]
        self.queue_url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["VisibilityTimeout"]
        )
        self.visibility_timeout = int(attributes["Attributes"].get("VisibilityTimeout", 30))

    def _receive(self, count: int, wait: int) -> list[dict[str, Any]]:
        return self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(count, 10),
            WaitTimeSeconds=wait,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])

    def poll_once(self) -> None:
        messages = self._receive(self.mapping.batch_size, wait=1)
        if not messages:
            return
        deadline = time.monotonic() + self.mapping.batching_window
        while len(messages) < self.mapping.batch_size:
            more = self._receive(self.mapping.batch_size - len(messages), wait=0)
            if not more and time.monotonic() >= deadline:
                break
            if not more:
                self.stopping.wait(0.05)
            messages += more
        # A message whose visibility lapsed during the window comes back; keep its newest receipt.
        newest = {m["MessageId"]: m for m in messages}
        records = [self.record(m) for m in newest.values()]
        kept = [r for r in records if matches(self.mapping.filters, {**r, "body": _maybe_json(r["body"])})]
        dropped = [r for r in records if r not in kept]
        self._delete_messages(dropped)
        if not kept:
            return
        outcome = self.function.invoke({"Records": kept})
        if outcome.failed:
            self._return_later(kept)  # every message returns after its visibility timeout
            return
        failed: set[str] | None = set()
        if self.mapping.report_item_failures:
            failed = item_failures(outcome.payload, {r["messageId"] for r in kept})
            if failed is None:
                log.warning(
                    "invalid batchItemFailures: whole batch fails",
                    extra={"function": self.function.spec.name},
                )
                self._return_later(kept)
                return
        self._delete_messages([r for r in kept if r["messageId"] not in failed])
        self._return_later([r for r in kept if r["messageId"] in failed])

    def _return_later(self, records: list[dict[str, Any]]) -> None:
        """A failed message returns after the queue's VisibilityTimeout, time-scaled like every
        simulated wait (``LOCALCLOUD_TIME_SCALE``); at scale 1 SQS's own timeout runs untouched."""
        if timescale.scale() == 1 or not records:
            return
        seconds = max(0, round(timescale.seconds(self.visibility_timeout)))
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": r["receiptHandle"], "VisibilityTimeout": seconds}
                    for i, r in enumerate(chunk)
                ],
            )

    def _delete_messages(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)],
            )

    def record(self, message: dict[str, Any]) -> dict[str, Any]:
        attributes = {
            key: value
            for key, value in message.get("Attributes", {}).items()
            if key
            in (
                "ApproximateReceiveCount",
                "SentTimestamp",
                "SenderId",
                "ApproximateFirstReceiveTimestamp",
                "SequenceNumber",
                "MessageGroupId",
                "MessageDeduplicationId",
                "AWSTraceHeader",
            )
        }
        message_attributes = {
            name: {
                "stringValue": attr.get("StringValue"),
                "binaryValue": attr.get("BinaryValue"),
                "stringListValues": attr.get("StringListValues", []),
                "binaryListValues": attr.get("BinaryListValues", []),
                "dataType": attr["DataType"],
            }
            for name, attr in message.get("MessageAttributes", {}).items()
        }
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": attributes,
            "messageAttributes": message_attributes,
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.mapping.source_arn,
            "awsRegion": self.region,
        }


def _maybe_json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body


class StreamPoller(Poller):
    IDLE_MAX = 0.5  # seconds between reads of an idle shard

    def __init__(self, mapping: EventSourceMapping, function: LambdaFunction, region: str) -> None:
        super().__init__(mapping, function, region)
        self.streams = boto3.client("dynamodbstreams", region_name=region)
        shard = self.streams.describe_stream(StreamArn=mapping.source_arn)["StreamDescription"]["Shards"][0]
        self.iterator = self.streams.get_shard_iterator(
            StreamArn=mapping.source_arn,
            ShardId=shard["ShardId"],
            ShardIteratorType=mapping.starting_position,
        )["ShardIterator"]
        self.shard_id = shard["ShardId"]
        self.idle = 0.05

    def poll_once(self) -> None:
        current = self.iterator
        response = self.streams.get_records(ShardIterator=current, Limit=self.mapping.batch_size)
        self.iterator = response["NextShardIterator"]
        # AWS expires iterators after 15 minutes; moto keeps every one, so drop the used one.
        dynamodbstreams_backends[ACCOUNT][self.region].shard_iterators.pop(current, None)
        records = [self.record(r) for r in response.get("Records", [])]
        if not records:
            self.stopping.wait(self.idle)
            self.idle = min(self.idle * 2, self.IDLE_MAX)
            return
        self.idle = 0.05
        records = [r for r in records if matches(self.mapping.filters, r)]
        self.deliver(records)

    def deliver(self, records: list[dict[str, Any]]) -> None:
        """One batch, in order: retried (from its first reported failure) until it succeeds or
        MaximumRetryAttempts is spent; with BisectBatchOnFunctionError, a failed invocation of
        more than one record splits the batch and each half is delivered so, the first half first."""
        attempts = 0
        while records and not self.stopping.is_set():
            outcome = self.function.invoke({"Records": records})
            if outcome.failed and self.mapping.bisect_on_error and len(records) > 1:
                half = len(records) // 2
                self.deliver(records[:half])
                self.deliver(records[half:])
                return
            if not outcome.failed:
                if not self.mapping.report_item_failures:
                    return
                sequence = {r["dynamodb"]["SequenceNumber"] for r in records}
                failed = item_failures(outcome.payload, sequence)
                if failed is not None and not failed:
                    return
                if failed:
                    first = min(failed, key=int)
                    records = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) >= int(first)]
            attempts += 1
            if 0 <= self.mapping.max_retry_attempts < attempts:
                log.error(
                    "stream batch discarded after MaximumRetryAttempts",
                    extra={"function": self.function.spec.name, "records": len(records)},
                )
                self._record_failure(records, attempts, outcome.error_type and "Unhandled")
                return
            self.stopping.wait(min(0.1 * 2**attempts, 5))

    def _record_failure(self, records: list[dict[str, Any]], invokes: int, function_error: str) -> None:
        """Send Lambda's on-failure invocation record of a discarded batch to the mapping's SQS
        destination (the shape of AWS's, for DynamoDB streams): where the records are, not them."""
        if not self.mapping.on_failure:
            return

        def arrival(record: dict[str, Any]) -> str:
            created = record["dynamodb"].get("ApproximateCreationDateTime", time.time())
            return datetime.fromtimestamp(float(created), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if function_error:
            response["functionError"] = function_error
        body = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.function.spec.arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invokes,
            },
            "responseContext": response,
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": self.shard_id,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": arrival(records[0]),
                "approximateArrivalOfLastRecord": arrival(records[-1]),
                "batchSize": len(records),
                "streamArn": self.mapping.source_arn,
            },
        }
        sqs = boto3.client("sqs", region_name=self.region)
        url = sqs.get_queue_url(QueueName=self.mapping.on_failure.rsplit(":", 1)[-1])["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))

    def record(self, raw: dict[str, Any]) -> dict[str, Any]:
        return stream_record(raw, self.region, self.mapping.source_arn)


def poller_for(mapping: EventSourceMapping, function: LambdaFunction, region: str) -> Poller:
    if mapping.source_arn.split(":")[2] == "sqs":
        return SqsPoller(mapping, function, region)
    return StreamPoller(mapping, function, region)
