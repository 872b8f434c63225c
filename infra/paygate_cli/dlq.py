"""``paygate dlq redrive``: a stack's dead-letter queues back to their source queues (SQS API)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from paygate_cli.options import Commands, add_endpoint_arguments


def redrive(sqs: Any, queue: str | None = None, prefix: str = "") -> dict[str, int]:
    """Move every message of each dead-letter queue back to the queue whose RedrivePolicy names it.

    What SQS's "start DLQ redrive" (StartMessageMoveTask) does, with plain ReceiveMessage,
    SendMessage (body and message attributes kept) and DeleteMessage, so it works on AWS,
    LocalStack and moto alike (moto has no StartMessageMoveTask). A message is deleted from the DLQ
    only after its copy was sent: a crash in between redelivers it (at least once, as SQS itself;
    consumers dedupe). ``queue``: only the DLQ (or source queue) of that name. Returns the count
    moved per DLQ. On localcloud (no SQS endpoint of its own) pass a client made in its process.
    """
    moved: dict[str, int] = {}
    urls = sqs.list_queues(**({"QueueNamePrefix": prefix} if prefix else {})).get("QueueUrls", [])
    for url in urls:
        # SQS leaves "Attributes" out altogether when the queue has none of those asked for
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"]).get(
            "Attributes", {}
        )
        if "RedrivePolicy" not in attributes:
            continue
        dlq_name = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"].rsplit(":", 1)[-1]
        if queue and queue not in (dlq_name, url.rsplit("/", 1)[-1]):
            continue
        dlq_url = sqs.get_queue_url(QueueName=dlq_name)["QueueUrl"]
        count = 0
        while True:
            messages = sqs.receive_message(
                QueueUrl=dlq_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=1,
                VisibilityTimeout=60,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                extra = (
                    {"MessageAttributes": message["MessageAttributes"]}
                    if message.get("MessageAttributes")
                    else {}
                )
                sqs.send_message(QueueUrl=url, MessageBody=message["Body"], **extra)
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
                count += 1
        moved[dlq_name] = moved.get(dlq_name, 0) + count
    return moved


def run(args: argparse.Namespace) -> int:
    """The stack's DLQs back to their source queues, through the SQS API (AWS, or LocalStack with
    ``--endpoint-url`` / ``AWS_ENDPOINT_URL``)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        sqs = boto3.client("sqs", endpoint_url=args.endpoint_url, region_name=args.region)
        moved = redrive(sqs, args.queue, args.prefix)
    except (BotoCoreError, ClientError) as exc:
        print(f"paygate dlq redrive: {exc}", file=sys.stderr)
        return 1
    if not moved:
        print("paygate dlq redrive: no queue with a dead-letter queue matched", file=sys.stderr)
        return 1
    for name, count in moved.items():
        print(f"{name}: {count} message(s) moved back")
    return 0


def register(commands: Commands) -> None:
    dlq = commands.add_parser("dlq", help="dead-letter queues of a deployed stack (AWS / LocalStack)")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    move = dlq_commands.add_parser("redrive", help="move every DLQ message back to its source queue")
    move.add_argument("--queue", help="only this DLQ or source queue (name)")
    move.add_argument("--prefix", default="", help="only queues whose name starts so (e.g. the stack name)")
    add_endpoint_arguments(move)
    move.set_defaults(run=run)
