"""Operations alarms: every queue that holds work the gateway did not do alarms at its first message."""

from __future__ import annotations

import json

import boto3
from localcloud.runtime import LocalCloud


def test_every_dead_letter_queue_and_the_stream_failures_queue_alarm_to_the_alert_topic(
    gateway: LocalCloud,
) -> None:
    sqs = boto3.client("sqs", region_name=gateway.region)
    # The queues that hold failed work: every RedrivePolicy's dead-letter target, and the stream
    # mappings' OnFailure destination
    held: set[str] = set()
    for url in sqs.list_queues(QueueNamePrefix="paygate-")["QueueUrls"]:
        policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"]).get(
            "Attributes", {}
        )
        if "RedrivePolicy" in policy:
            held.add(json.loads(policy["RedrivePolicy"])["deadLetterTargetArn"].rsplit(":", 1)[-1])
    held |= {
        m["DestinationConfig"]["OnFailure"]["Destination"].rsplit(":", 1)[-1]
        for m in gateway.event_source_mappings()
        if m.get("DestinationConfig")
    }
    assert held == {
        "paygate-payment-attempts-dlq",
        "paygate-webhooks-dlq",
        "paygate-webhook-deliveries-dlq",
        "paygate-refunds-dlq",
        "paygate-provider-events-dlq",
        "paygate-challenge-timeouts-dlq",
        "paygate-stream-failures",
        "paygate-customers-stream-failures",
        "paygate-erase-payments-pii-dlq",  # a customer's erasure left pending (docs/privacy.md)
        "paygate-erase-webhook-pii-dlq",
    }

    pages = boto3.client("cloudwatch", region_name=gateway.region).get_paginator("describe_alarms").paginate()
    alarms = [alarm for page in pages for alarm in page["MetricAlarms"]]
    watched = {
        d["Value"]: alarm
        for alarm in alarms
        if alarm.get("Namespace") == "AWS/SQS"  # metric-math alarms (test_operations.py) have none
        for d in alarm["Dimensions"]
        if d["Name"] == "QueueName"
    }
    topic = gateway.physical("AlertTopic")
    for queue in held:
        alarm = watched[queue]
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0.0)
        assert alarm["AlarmActions"] == [topic]
    # no AlertEmail given: nobody is subscribed
    sns = boto3.client("sns", region_name=gateway.region)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
