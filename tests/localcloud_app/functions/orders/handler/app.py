"""Orders (a nested stack): POST /orders stores and enqueues an order, GET /orders/{id} reads it back;
invoked directly (the state machine) it describes where it runs. Imports the root stack's layer."""

import json
import os
import uuid

import boto3
import lcshared

VARIABLES = ("ORDERS_TABLE", "ORDERS_QUEUE_URL", "AUDIT_QUEUE_URL", "GREETING", "GREETING_QUEUE_URL")


def _describe(context):
    return {
        "layer": lcshared.MESSAGE,
        "function": context.function_name,
        "env": {name: os.environ.get(name) for name in VARIABLES},
        "fancy": os.environ.get("FANCY_QUEUE_URL"),
    }


def handler(event, context):
    if "httpMethod" not in event:
        return _describe(context)
    table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
    if event["httpMethod"] == "POST":
        order = {"pk": f"order_{uuid.uuid4().hex[:12]}", "sk": "order", "body": event["body"] or ""}
        table.put_item(Item=order)
        boto3.client("sqs").send_message(QueueUrl=os.environ["ORDERS_QUEUE_URL"], MessageBody=order["pk"])
        return {"statusCode": 201, "body": json.dumps({"id": order["pk"], **_describe(context)})}
    item = table.get_item(Key={"pk": event["pathParameters"]["id"], "sk": "order"}, ConsistentRead=True)
    if "Item" not in item:
        return {"statusCode": 404, "body": json.dumps({"message": "no such order"})}
    return {"statusCode": 200, "body": json.dumps({"order": item["Item"], **_describe(context)})}
