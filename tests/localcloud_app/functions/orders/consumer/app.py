"""Orders (a nested stack): marks an order consumed (SQS) or shipped (EventBridge, the root's bus)."""

import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def handler(event, context):
    if "Records" not in event:
        table.put_item(Item={"pk": event["detail"]["id"], "sk": "shipped", "by": context.function_name})
        return None
    for record in event["Records"]:
        table.put_item(Item={"pk": record["body"], "sk": "consumed", "by": context.function_name})
    return {"batchItemFailures": []}
