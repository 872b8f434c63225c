"""Reports the variables it sees. Reads twice around a pause so concurrent invocations would show mixing."""

import json
import os
import time

NAMES = (
    "NAME",
    "ONLY_A",
    "ONLY_B",
    "GLOBAL_VAR",
    "QUEUE_URL",
    "ORDERS_TABLE",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_REGION",
    "_HANDLER",
)
LOADED_AS = os.environ.get("NAME")  # module import runs under the function's own environment
IN_FLIGHT: list[str] = []  # module state: one execution environment never runs two invocations at once


def handler(event, context):
    IN_FLIGHT.append(context.aws_request_id)
    first = {name: os.environ.get(name) for name in NAMES}
    time.sleep(0.005)
    second = {name: os.getenv(name) for name in NAMES}
    overlapped = [context.aws_request_id] != IN_FLIGHT
    IN_FLIGHT.remove(context.aws_request_id)
    body = {"first": first, "second": second, "loaded_as": LOADED_AS, "overlapped": overlapped}
    return {"statusCode": 200, "body": json.dumps(body)}
