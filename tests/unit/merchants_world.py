"""The merchants (and webhooks) tables on moto, created from the product template's own definitions,
with DynamoDB item operations as atomic as DynamoDB's (threads race through the conditional writes)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from localcloud.motopatch import dynamodb_atomicity
from moto import mock_aws
from paygate.core import aws, settings
from samtranslator.yaml_helper import yaml_parse

from tests.helpers import PRODUCT

TABLES = {"MERCHANTS_TABLE": "MerchantsTable", "WEBHOOKS_TABLE": "WebhooksTable"}
SIGNING_KEY = "unit-test-session-signing-key-of-32-chars+"


def _table_definition(logical_id: str) -> dict[str, Any]:
    props = yaml_parse(PRODUCT.read_text())["Resources"][logical_id]["Properties"]
    keep = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    return {name: props[name] for name in keep if name in props}


@contextmanager
def merchants_world() -> Iterator[None]:
    env = {
        **{variable: f"world-{logical}" for variable, logical in TABLES.items()},
        "AWS_DEFAULT_REGION": "us-east-1",
        "SESSION_SIGNING_KEY": SIGNING_KEY,
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    settings._cache.clear()
    aws._clients.clear()
    try:
        with mock_aws(), dynamodb_atomicity():
            client = boto3.client("dynamodb")
            for variable, logical in TABLES.items():
                client.create_table(TableName=env[variable], **_table_definition(logical))
            yield
    finally:
        settings._cache.clear()
        aws._clients.clear()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
