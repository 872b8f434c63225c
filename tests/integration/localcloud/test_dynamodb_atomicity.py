"""Conditional writes and transactions are atomic under concurrency, as DynamoDB guarantees."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.exceptions import ClientError
from localcloud.runtime import LocalCloud


def test_concurrent_conditional_increments_stop_at_the_ceiling(cloud: LocalCloud, results: Any) -> None:
    # Given a counter and a ceiling of 10
    client = boto3.client("dynamodb", region_name=cloud.region)
    table = cloud.physical("ResultsTable")
    key = {"pk": {"S": "counter"}, "sk": {"S": "atomicity"}}
    client.put_item(TableName=table, Item={**key, "n": {"N": "0"}})
    for i in range(300):  # a table with some content: moto copies it for each transaction
        client.put_item(TableName=table, Item={"pk": {"S": "filler"}, "sk": {"S": str(i)}})

    def bump(i: int) -> bool:
        # an update and a put, as a refund is written: the snapshot of the transaction covers both
        claim = {"pk": {"S": "claim"}, "sk": {"S": str(i)}, "payload": {"S": "x" * 2000}}
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": table,
                            "Key": key,
                            "UpdateExpression": "ADD n :one",
                            "ConditionExpression": "n < :ceiling",
                            "ExpressionAttributeValues": {":one": {"N": "1"}, ":ceiling": {"N": "10"}},
                        }
                    },
                    {
                        "Put": {
                            "TableName": table,
                            "Item": claim,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "TransactionCanceledException"
            return False
        return True

    # When 60 threads try to increment at once
    with ThreadPoolExecutor(max_workers=60) as pool:
        outcomes = list(pool.map(bump, range(60)))
    # Then exactly 10 succeed and the counter is 10
    assert sum(outcomes) == 10
    stored = client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert stored["n"] == {"N": "10"}
