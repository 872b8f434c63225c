"""DynamoDB Streams event-source mapping: NEW_AND_OLD_IMAGES records in the AWS event shape, in order."""

from __future__ import annotations

import uuid

import boto3
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
