"""localcloud's DynamoDB is as atomic as DynamoDB: a read never sees an item mid-write.

moto builds an answer from the live item after its backend call returns (GetItem serialises the
item's own attribute dict). Built outside the lock, a concurrent update that adds an attribute fails
the read with "dictionary changed size during iteration" (a 500 in CI when a refund raced a capture).
The race needs a busy machine to show; what prevents it is checked directly: every answer is built
while the request holds the DynamoDB lock.
"""

from __future__ import annotations

from typing import Any

import boto3
import moto.dynamodb.responses as moto_responses
import pytest
from localcloud import motopatch
from localcloud.motopatch import dynamodb_atomicity
from moto import mock_aws
from moto.dynamodbstreams.models import DynamoDBStreamsBackend


def test_every_answer_is_built_under_the_dynamodb_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[bool] = []
    build = moto_responses.dynamo_to_dict

    def watched(obj: Any) -> Any:
        held.append(motopatch._dynamodb_lock._is_owned())  # type: ignore[attr-defined]
        return build(obj)

    monkeypatch.setattr(moto_responses, "dynamo_to_dict", watched)
    with mock_aws(), dynamodb_atomicity():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="race",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        key = {"pk": {"S": "item"}}
        client.put_item(TableName="race", Item={**key, "m": {"M": {"a": {"N": "1"}}}})
        client.update_item(
            TableName="race",
            Key=key,
            UpdateExpression="SET m.b = :v",
            ExpressionAttributeValues={":v": {"N": "2"}},
        )
        assert client.get_item(TableName="race", Key=key)["Item"]["m"]["M"]["b"] == {"N": "2"}
        client.query(
            TableName="race", KeyConditionExpression="pk = :k", ExpressionAttributeValues={":k": key["pk"]}
        )
        client.batch_get_item(RequestItems={"race": {"Keys": [key]}})
    assert held and all(held), held


def test_stream_reads_take_the_lock_so_a_transaction_is_seen_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[bool] = []
    read = DynamoDBStreamsBackend.get_records

    def watched(self: DynamoDBStreamsBackend, *args: Any, **kwargs: Any) -> Any:
        held.append(motopatch._dynamodb_lock._is_owned())  # type: ignore[attr-defined]
        return read(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBStreamsBackend, "get_records", watched)
    monkeypatch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")  # as localcloud's clients run
    with mock_aws():
        motopatch.install(None, lambda _arn, _payload: None)  # type: ignore[arg-type]
        try:
            client = boto3.client("dynamodb", region_name="us-east-1")
            stream = client.create_table(
                TableName="streamed",
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            )["TableDescription"]["LatestStreamArn"]
            client.transact_write_items(
                TransactItems=[{"Put": {"TableName": "streamed", "Item": {"id": {"S": n}}}} for n in "ab"]
            )
            streams = boto3.client("dynamodbstreams", region_name="us-east-1")
            shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
            iterator = streams.get_shard_iterator(
                StreamArn=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            assert len(streams.get_records(ShardIterator=iterator)["Records"]) == 2
        finally:
            motopatch.uninstall()
    assert held == [True]
