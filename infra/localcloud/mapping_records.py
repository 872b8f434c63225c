"""What an event-source mapping hands a function: the DynamoDB stream record in Lambda's shape, and
which records a mapping's FilterCriteria let through.

Kept apart from the pollers (eventsources.py) because ``paygate streams replay`` (infra/paygate_cli)
hands a deployed function exactly what the poller would have: the same shape, the same filter. This
module holds no state and starts nothing, so the CLI can use it against AWS without the runtime.
"""

from __future__ import annotations

import json
from typing import Any

from moto.events.models import EventPattern


def matches(filters: list[dict[str, Any]], record: dict[str, Any]) -> bool:
    """Whether a record passes a mapping's FilterCriteria patterns (none: everything passes)."""
    if not filters:
        return True
    return any(EventPattern.load(json.dumps(pattern)).matches_event(record) for pattern in filters)


def stream_record(raw: dict[str, Any], region: str, stream_arn: str) -> dict[str, Any]:
    """A GetRecords record (boto3's shape) as Lambda hands it to a function."""
    dynamodb = dict(raw["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if hasattr(created, "timestamp"):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
