"""Schedule events (rate/cron) fire on simulated time; a schedule-only rule ignores ordinary events."""

from __future__ import annotations

import json
import time

import boto3
from localcloud.runtime import LocalCloud

from tests.helpers import TEST_APP, wait_for


def test_rate_schedule_fires_on_scaled_time_and_only_for_its_own_rule() -> None:
    # rate(1 minute) at time scale 0.02 fires every 1.2 s
    started = time.monotonic()
    with LocalCloud(TEST_APP, port=0, stack_name="lcs", time_scale=0.02) as cloud:
        results = boto3.resource("dynamodb", region_name=cloud.region).Table(cloud.physical("ResultsTable"))
        events = boto3.client("events", region_name=cloud.region)
        ordinary = events.put_events(
            Entries=[{"Source": "test.app", "DetailType": "anything", "Detail": "{}"}]  # default bus
        )["Entries"][0]["EventId"]

        def fired() -> list[dict]:
            items = results.query(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": "schedule"},
                ConsistentRead=True,
            )["Items"]
            return [json.loads(item["payload"]) for item in items]

        ticks = wait_for(lambda: len(fired()) >= 2 and fired(), timeout=30, what="two scheduled events")
        assert time.monotonic() - started >= 2.3  # not before two scaled periods (2 x 1.2 s)
        rule_arn = next(r["Arn"] for r in events.list_rules()["Rules"] if "RecorderTick" in r["Name"])
        for tick in ticks:
            assert tick["detail-type"] == "Scheduled Event"
            assert tick["source"] == "aws.events"
            assert tick["resources"] == [rule_arn]
            assert tick["detail"] == {}
        others = results.query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": "eventbridge"},
            ConsistentRead=True,
        )["Items"]
        assert not [item for item in others if ordinary in item["sk"]]
