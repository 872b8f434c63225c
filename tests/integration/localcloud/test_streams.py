"""DynamoDB Streams event-source mapping: NEW_AND_OLD_IMAGES records in the AWS event shape, in order."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest
from localcloud.runtime import LocalCloud
from paygate_cli.streams import replay

from tests.helpers import wait_for
from tests.integration.localcloud.conftest import recorded


def test_insert_modify_remove_arrive_in_order_with_old_and_new_images(cloud: LocalCloud, results) -> None:
    table = boto3.resource("dynamodb", region_name=cloud.region).Table(cloud.physical("SourceTable"))
    key = uuid.uuid4().hex
    table.put_item(Item={"id": key, "status": "created", "amount": 500})
    table.update_item(
        Key={"id": key},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "paid"},
    )
    table.delete_item(Key={"id": key})

    def mine() -> list[dict]:
        return [r for r in recorded(results, "stream") if r["dynamodb"]["Keys"]["id"]["S"] == key]

    records = sorted(
        wait_for(lambda: len(mine()) == 3 and mine(), what="3 stream records"),
        key=lambda r: int(r["dynamodb"]["SequenceNumber"]),
    )
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = (r["dynamodb"] for r in records)
    assert "OldImage" not in insert
    assert insert["NewImage"] == {"id": {"S": key}, "status": {"S": "created"}, "amount": {"N": "500"}}
    assert modify["OldImage"]["status"] == {"S": "created"}
    assert modify["NewImage"]["status"] == {"S": "paid"}
    assert remove["OldImage"]["status"] == {"S": "paid"} and "NewImage" not in remove
    for record in records:
        assert record["eventSource"] == "aws:dynamodb"
        assert record["eventSourceARN"] == cloud.attribute("SourceTable", "StreamArn")
        assert record["awsRegion"] == "us-east-1"
        assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert isinstance(record["dynamodb"]["SizeBytes"], int)


def test_a_cancelled_transaction_leaves_no_record_and_the_stream_goes_on(cloud: LocalCloud, results) -> None:
    client = boto3.client("dynamodb", region_name=cloud.region)
    table = cloud.physical("SourceTable")
    first, second, after = (uuid.uuid4().hex for _ in range(3))
    # Given a transaction whose first write applies and whose second write's condition fails
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"id": {"S": first}}}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"id": {"S": second}},
                        "ConditionExpression": "attribute_exists(id)",
                    }
                },
            ]
        )
    # When an item is written afterwards
    client.put_item(TableName=table, Item={"id": {"S": after}})
    # Then its record arrives, and none of the cancelled transaction's
    keys = lambda: {r["dynamodb"]["Keys"]["id"]["S"] for r in recorded(results, "stream")}  # noqa: E731
    wait_for(lambda: after in keys(), what="the record written after the cancelled transaction")
    assert first not in keys() and second not in keys()


def _failure_records(sqs: Any, queue: str) -> list[dict]:
    """The on-failure records in the queue, left visible."""
    got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=0)
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def test_a_batch_given_up_on_goes_to_the_on_failure_queue_and_replays_once_cured(
    cloud: LocalCloud, results
) -> None:
    # Given a stream consumer that fails an item's records until it is cured, MaximumRetryAttempts 1
    # and an SQS OnFailure destination
    table = boto3.resource("dynamodb", region_name=cloud.region).Table(cloud.physical("PoisonTable"))
    sqs = boto3.client("sqs", region_name=cloud.region)
    queue = cloud.physical("StreamFailureQueue")
    key = uuid.uuid4().hex
    # When an item is written
    table.put_item(Item={"id": key})

    # Then after the first invocation and one retry, Lambda's record of the batch lands there
    (record,) = wait_for(lambda: _failure_records(sqs, queue), timeout=30, what="the on-failure record")
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestContext"]["functionArn"] == cloud.attribute("Picky", "Arn")
    assert record["responseContext"]["functionError"] == "Unhandled"
    info = record["DDBStreamBatchInfo"]
    assert info["streamArn"] == cloud.attribute("PoisonTable", "StreamArn")
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"]
    # and ListEventSourceMappings shows the mapping's filter and destination, as Lambda does
    lambda_client = boto3.client("lambda", region_name=cloud.region)
    (mapping,) = lambda_client.list_event_source_mappings(
        FunctionName=cloud.attribute("Picky", "Arn"), EventSourceArn=info["streamArn"]
    )["EventSourceMappings"]
    assert mapping["FilterCriteria"] == {"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]}
    assert mapping["DestinationConfig"] == {
        "OnFailure": {"Destination": cloud.attribute("StreamFailureQueue", "Arn")}
    }

    streams = boto3.client("dynamodbstreams", region_name=cloud.region)
    # A replay before the cure hands the record over, fails again and keeps the message
    first = replay(sqs, streams, lambda_client, queue, cloud.region, visibility=1)
    assert (first.replayed, first.records, len(first.kept)) == (0, 1, 1)
    assert "failed again" in first.kept[0]
    # Once cured, the replay hands the same record to the function and empties the queue
    results.put_item(Item={"pk": "antidote", "sk": key})
    time.sleep(1.5)  # the kept message becomes visible again
    second = replay(sqs, streams, lambda_client, queue, cloud.region, visibility=1)
    assert (second.replayed, second.records, second.kept) == (1, 1, [])
    (handled,) = results.query(
        KeyConditionExpression="pk = :pk AND sk = :sk", ExpressionAttributeValues={":pk": "picky", ":sk": key}
    )["Items"]
    assert json.loads(handled["payload"])["dynamodb"]["SequenceNumber"] == info["startSequenceNumber"]
    assert _failure_records(sqs, queue) == []


def test_a_replay_skips_the_records_the_mappings_filter_dropped(cloud: LocalCloud, results) -> None:
    # Given an item already handled (cured), then one transaction that inserts two poisoned items and
    # modifies the handled one: the mapping's filter (INSERT only) hands Picky [A, B], which fails
    client = boto3.client("dynamodb", region_name=cloud.region)
    table = cloud.physical("PoisonTable")
    sqs = boto3.client("sqs", region_name=cloud.region)
    queue = cloud.physical("StreamFailureQueue")
    a, b, handled = (uuid.uuid4().hex for _ in range(3))
    results.put_item(Item={"pk": "antidote", "sk": handled})
    client.put_item(TableName=table, Item={"id": {"S": handled}})
    wait_for(
        lambda: "Item" in results.get_item(Key={"pk": "picky", "sk": handled}, ConsistentRead=True),
        what="the handled item",
    )
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"id": {"S": a}}}},
            {
                "Update": {
                    "TableName": table,
                    "Key": {"id": {"S": handled}},
                    "UpdateExpression": "SET touched = :t",
                    "ExpressionAttributeValues": {":t": {"BOOL": True}},
                }
            },
            {"Put": {"TableName": table, "Item": {"id": {"S": b}}}},
        ]
    )

    (record,) = wait_for(lambda: _failure_records(sqs, queue), timeout=30, what="the on-failure record")
    info = record["DDBStreamBatchInfo"]
    # the recorded range spans the MODIFY between the two INSERTs
    assert info["batchSize"] == 2 and int(info["endSequenceNumber"]) > int(info["startSequenceNumber"]) + 1
    # When both are cured and the batch replayed, Picky gets the two INSERTs and not the MODIFY
    for key in (a, b):
        results.put_item(Item={"pk": "antidote", "sk": key})
    streams = boto3.client("dynamodbstreams", region_name=cloud.region)
    lambda_client = boto3.client("lambda", region_name=cloud.region)
    done = replay(sqs, streams, lambda_client, queue, cloud.region, visibility=1)
    assert (done.replayed, done.records, done.kept) == (1, 2, [])
    handled_item = results.get_item(Key={"pk": "picky", "sk": handled}, ConsistentRead=True)["Item"]
    assert json.loads(handled_item["payload"])["eventName"] == "INSERT"  # not overwritten by the MODIFY
