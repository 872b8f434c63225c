"""localcloud's faster SQS message counts answer what moto's own do (the speed is a benchmark matter)."""

from __future__ import annotations

from collections.abc import Callable

import boto3
from localcloud import motopatch
from moto import mock_aws

COUNTS = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
]


def test_queue_counts_match_motos_for_visible_delayed_and_in_flight_messages() -> None:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="counts")["QueueUrl"]
        for n in range(12):
            sqs.send_message(QueueUrl=url, MessageBody=str(n))
        sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=4, VisibilityTimeout=60)
        counts: Callable[[], dict[str, str]] = lambda: sqs.get_queue_attributes(  # noqa: E731
            QueueUrl=url, AttributeNames=COUNTS
        )["Attributes"]
        moto_counts = counts()
        motopatch.install(None, lambda _arn, _payload: None)  # type: ignore[arg-type]
        try:
            assert (
                counts()
                == moto_counts
                == {
                    "ApproximateNumberOfMessages": "8",
                    "ApproximateNumberOfMessagesDelayed": "1",
                    "ApproximateNumberOfMessagesNotVisible": "4",
                }
            )
            received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
            assert len(received) == 8  # the retention check lets every fresh message through
        finally:
            motopatch.uninstall()
