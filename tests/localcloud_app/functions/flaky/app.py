import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["RESULTS_TABLE"])


class TransientError(Exception):
    pass


def handler(event, context):
    attempts = table.update_item(
        Key={"pk": "flaky", "sk": event["run"]},
        UpdateExpression="ADD attempts :one",
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]["attempts"]
    if attempts < 3:
        raise TransientError(f"attempt {attempts} of run {event['run']}")
    return {**event, "attempts": int(attempts)}
