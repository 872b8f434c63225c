"""DynamoDB Streams event-source mapping: NEW_AND_OLD_IMAGES records in the AWS event shape, in order."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from localcloud.runtime import LocalCloud

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


def test_a_batch_given_up_on_leaves_lambdas_failure_record_in_the_on_failure_queue(cloud: LocalCloud) -> None:
    # Given a stream whose consumer always raises, MaximumRetryAttempts 1 and an SQS OnFailure destination
    table = boto3.resource("dynamodb", region_name=cloud.region).Table(cloud.physical("PoisonTable"))
    sqs = boto3.client("sqs", region_name=cloud.region)
    queue = cloud.physical("StreamFailureQueue")
    # When an item is written
    table.put_item(Item={"id": uuid.uuid4().hex})

    def failure_records() -> list[dict]:
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        return [json.loads(m["Body"]) for m in got.get("Messages", [])]

    # Then after the first invocation and one retry the batch's record lands there, as Lambda sends it
    (record,) = wait_for(failure_records, timeout=30, what="the on-failure record")
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestContext"]["functionArn"] == cloud.attribute("Fatal", "Arn")
    assert record["responseContext"]["functionError"] == "Unhandled"
    info = record["DDBStreamBatchInfo"]
    assert info["streamArn"] == cloud.attribute("PoisonTable", "StreamArn")
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"]
    # and the record can be read back from the stream at that position
    streams = boto3.client("dynamodbstreams", region_name=cloud.region)
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    (again,) = streams.get_records(ShardIterator=iterator, Limit=1)["Records"]
    assert again["dynamodb"]["SequenceNumber"] == info["startSequenceNumber"]
