"""Fails every stream record of an item until ResultsTable holds its antidote, then records it."""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["RESULTS_TABLE"])


class PoisonedError(Exception):
    pass


def handler(event, context):
    for record in event["Records"]:
        key = record["dynamodb"]["Keys"]["id"]["S"]
        if "Item" not in table.get_item(Key={"pk": "antidote", "sk": key}, ConsistentRead=True):
            raise PoisonedError(f"no antidote for {key}")
        table.put_item(Item={"pk": "picky", "sk": key, "payload": json.dumps(record)})
    return {"batchItemFailures": []}
