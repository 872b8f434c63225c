"""``paygate streams replay``: hand the records of stream batches Lambda gave up on back to their
function, once whatever made them fail is fixed.

Each message of the stream mappings' on-failure queue (``<stack>-stream-failures``) is Lambda's
invocation record of a discarded batch: the function, the stream, the shard and the sequence-number
range, not the records. For each, this reads the range back from the stream (DynamoDB Streams keeps
records 24 hours), keeps what the mapping's FilterCriteria match (read from ListEventSourceMappings),
invokes the function synchronously with them in the stream event shape, and deletes the message
only when the function succeeded without ``batchItemFailures``. Otherwise the message stays and
is visible again after ``VISIBILITY_SECONDS``. The consumers are idempotent (a payment's execution is
named by its id, events and deliveries are put if absent), so a replay of records that did get
through in part is harmless.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import Any

from paygate_cli.options import Commands, add_endpoint_arguments

VISIBILITY_SECONDS = 300  # a message one run took (replayed or kept) is not taken again by it


@dataclass
class Replayed:
    replayed: int = 0  # failure records whose batch the function now took
    records: int = 0  # stream records handed to functions
    kept: list[str] = field(default_factory=list)  # why a failure record stays in the queue


def _read_range(streams: Any, info: dict[str, Any]) -> list[dict[str, Any]]:
    """The stream records from startSequenceNumber to endSequenceNumber, in order."""
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    end = int(info["endSequenceNumber"])
    found: list[dict[str, Any]] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=100)
        records = page.get("Records", [])
        for record in records:
            if int(record["dynamodb"]["SequenceNumber"]) > end:
                return found
            found.append(record)
        if not records:  # caught up with an open shard
            return found
        iterator = page.get("NextShardIterator")
    return found


def _filters(lambda_client: Any, function_arn: str, stream_arn: str) -> list[dict[str, Any]]:
    mappings = lambda_client.list_event_source_mappings(
        FunctionName=function_arn, EventSourceArn=stream_arn
    ).get("EventSourceMappings", [])
    return [
        json.loads(f["Pattern"])
        for mapping in mappings
        for f in mapping.get("FilterCriteria", {}).get("Filters", [])
    ]


def replay_one(
    body: dict[str, Any],
    streams: Any,
    lambda_client: Any,
    region: str,
    known_filters: dict[tuple[str, str], list[dict[str, Any]]] | None = None,
) -> tuple[int, str]:
    """Replay one failure record; returns (records handed over, why it failed or "").
    ``known_filters``: the mappings' filters already read in this run, by (function, stream)."""
    # Lambda's record shape and filter semantics, shared with localcloud's pollers (needs moto's
    # EventPattern, not the runtime): imported here so the other commands never load it
    from localcloud.mapping_records import matches, stream_record

    info = body["DDBStreamBatchInfo"]
    function_arn = body["requestContext"]["functionArn"]
    raw = _read_range(streams, info)
    if not raw:
        return 0, f"{info['startSequenceNumber']}..{info['endSequenceNumber']}: no longer in the stream"
    known = {} if known_filters is None else known_filters
    mapping = (function_arn, info["streamArn"])
    if mapping not in known:
        known[mapping] = _filters(lambda_client, *mapping)
    filters = known[mapping]
    records = [r for r in (stream_record(x, region, info["streamArn"]) for x in raw) if matches(filters, r)]
    if not records:
        return 0, ""
    answer = lambda_client.invoke(FunctionName=function_arn, Payload=json.dumps({"Records": records}))
    payload = answer["Payload"].read()
    if answer.get("FunctionError"):
        return len(records), f"{function_arn.rsplit(':', 1)[-1]} failed again: {payload[:200]!r}"
    result = json.loads(payload or b"null")
    if isinstance(result, dict) and result.get("batchItemFailures"):
        return len(records), f"{function_arn.rsplit(':', 1)[-1]} reported batchItemFailures again"
    return len(records), ""


def replay(
    sqs: Any,
    streams: Any,
    lambda_client: Any,
    queue_url: str,
    region: str,
    visibility: int = VISIBILITY_SECONDS,
) -> Replayed:
    """Every failure record in the queue, each received once (a kept one hides for ``visibility``)."""
    done = Replayed()
    known_filters: dict[tuple[str, str], list[dict[str, Any]]] = {}  # one ListEventSourceMappings each
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=visibility
        ).get("Messages", [])
        if not messages:
            return done
        for message in messages:
            count, problem = replay_one(
                json.loads(message["Body"]), streams, lambda_client, region, known_filters
            )
            done.records += count
            if problem:
                done.kept.append(problem)  # invisible for VISIBILITY_SECONDS: not taken twice
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            done.replayed += 1


def run(args: argparse.Namespace) -> int:
    """The on-failure queue's batches back to their functions."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        session = boto3.session.Session(region_name=args.region)
        clients = {
            name: session.client(name, endpoint_url=args.endpoint_url)
            for name in ("sqs", "dynamodbstreams", "lambda")
        }
        url = clients["sqs"].get_queue_url(QueueName=args.queue)["QueueUrl"]
        done = replay(clients["sqs"], clients["dynamodbstreams"], clients["lambda"], url, session.region_name)
    except (BotoCoreError, ClientError) as exc:
        print(f"paygate streams replay: {exc}", file=sys.stderr)
        return 1
    print(f"{done.replayed} batch(es) replayed ({done.records} record(s)); {len(done.kept)} kept")
    for problem in done.kept:
        print(f"  kept: {problem}")
    return 1 if done.kept else 0


def register(commands: Commands) -> None:
    streams = commands.add_parser(
        "streams", help="DynamoDB-stream batches Lambda gave up on (AWS / LocalStack)"
    )
    stream_commands = streams.add_subparsers(dest="streams_command", required=True)
    again = stream_commands.add_parser(
        "replay", help="hand the records named in the on-failure queue back to their function"
    )
    again.add_argument("--queue", default="paygate-stream-failures", help="the on-failure queue (name)")
    add_endpoint_arguments(again)
    again.set_defaults(run=run)
