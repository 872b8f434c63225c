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
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_REGION",
    "_HANDLER",
)
LOADED_AS = os.environ.get("NAME")  # module import runs under the function's own environment


def handler(event, context):
    first = {name: os.environ.get(name) for name in NAMES}
    time.sleep(0.005)
    second = {name: os.getenv(name) for name in NAMES}
    return {"statusCode": 200, "body": json.dumps({"first": first, "second": second, "loaded_as": LOADED_AS})}
