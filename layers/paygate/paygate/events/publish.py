"""The outbox's publisher: stream records -> CloudEvents 1.0 -> EventBridge ``PutEvents``.

An event's ``id`` is derived from the object id, its version and the event type, so a redelivered
stream record publishes the same id again (consumers dedupe on it). Entries go out ten per call
(the PutEvents limit); the records whose entries failed are reported back for the stream to retry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from paygate.core import aws, dynamo
from paygate.core.ids import derived_id
from paygate.core.settings import EventsEnv
from paygate.events.catalog import api_view, event_types

SOURCE = "paygate"
PUT_EVENTS_LIMIT = 10


@dataclass(frozen=True)
class Change:
    """One stream record: its position and the object's images."""

    sequence: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


def cloud_events(change: Change) -> list[dict[str, Any]]:
    new = change.new
    if new is None:
        return []
    return [
        {
            "specversion": "1.0",
            "id": derived_id("evt", new["id"], str(new.get("version", 0)), kind),
            "type": kind,
            "source": f"/paygate/merchants/{new['merchant_id']}",
            "subject": new["id"],
            "time": new.get("updated_at") or new.get("created_at"),
            "datacontenttype": "application/json",
            "merchantid": new["merchant_id"],
            "mode": new["mode"],
            "data": api_view(new),
        }
        for kind in event_types(change.old, new)
    ]


def publish(changes: list[Change]) -> list[str]:
    """Publish every change's events; returns the sequence numbers whose events did not all go out."""
    bus = EventsEnv.load().event_bus_name
    entries: list[tuple[str, dict[str, Any]]] = []
    for change in changes:
        for event in cloud_events(change):
            detail = json.dumps(event, separators=(",", ":"))
            entries.append(
                (
                    change.sequence,
                    {"Source": SOURCE, "DetailType": event["type"], "Detail": detail, "EventBusName": bus},
                )
            )
    failed: list[str] = []
    events = aws.client("events")
    for start in range(0, len(entries), PUT_EVENTS_LIMIT):
        chunk = entries[start : start + PUT_EVENTS_LIMIT]
        answer = events.put_events(Entries=[entry for _, entry in chunk])
        if answer.get("FailedEntryCount"):
            failed.extend(
                sequence
                for (sequence, _), result in zip(chunk, answer["Entries"], strict=True)
                if result.get("ErrorCode")
            )
    return sorted(set(failed), key=int)


def _image(record: dict[str, Any], name: str) -> dict[str, Any] | None:
    image = record["dynamodb"].get(name)
    return dynamo.from_item(image) if image else None


def publish_records(records: list[dict[str, Any]]) -> dict[str, Any]:
    """An outbox publisher's whole work on one batch of DynamoDB stream records (every context's
    publisher function is this call): the answer Lambda reads (``ReportBatchItemFailures``)."""
    changes = [
        Change(r["dynamodb"]["SequenceNumber"], _image(r, "OldImage"), _image(r, "NewImage")) for r in records
    ]
    failed = publish(changes)
    # a stream retries from the first failure on: report that one
    return {"batchItemFailures": [{"itemIdentifier": failed[0]}] if failed else []}
