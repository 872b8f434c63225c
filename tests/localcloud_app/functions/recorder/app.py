"""Writes each record it gets to ResultsTable, then fails the ones that ask for it."""

import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ["RESULTS_TABLE"])


def _save(kind, ident, payload):
    table.put_item(Item={"pk": kind, "sk": f"{ident}#{uuid.uuid4().hex}", "payload": json.dumps(payload)})


def handler(event, context):
    if "Records" not in event:  # EventBridge: a rule target or a schedule
        _save(
            "schedule" if event.get("detail-type") == "Scheduled Event" else "eventbridge", event["id"], event
        )
        return None
    failures = []
    for record in event["Records"]:
        if record["eventSource"] == "aws:dynamodb":
            _save("stream", record["dynamodb"]["SequenceNumber"], record)
            continue
        queue = record["eventSourceARN"].rsplit(":", 1)[-1]
        _save(f"sqs:{queue}", record["messageId"], {**record, "batch_size": len(event["Records"])})
        if "boom" in record["body"]:
            raise RuntimeError(f"boom in {record['messageId']}")
        if "fail" in record["body"]:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
