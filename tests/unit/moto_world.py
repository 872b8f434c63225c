"""Tables of the product template on moto, for unit tests that call the layer's services directly.

Each table is created from the template's own definition (no second copy), DynamoDB item operations are
as atomic as DynamoDB's (``motopatch.dynamodb_atomicity``: threads race through the conditional writes
as they would on AWS), and the environment and the layer's cached settings and clients are restored
after.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from localcloud.motopatch import dynamodb_atomicity
from moto import mock_aws
from paygate.core import aws, settings
from samtranslator.yaml_helper import yaml_parse

from tests.helpers import PRODUCT, STACKS


def table_definition(logical_id: str) -> dict[str, Any]:
    """The table's definition in whichever template of the tree (root or a context's stack) holds it."""
    for path in (PRODUCT, *sorted(STACKS.glob("*.yaml"))):
        resources = yaml_parse(path.read_text())["Resources"]
        if logical_id in resources:
            break
    props = resources[logical_id]["Properties"]
    keep = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    return {name: props[name] for name in keep if name in props}


@contextmanager
def tables_world(tables: dict[str, str], **environment: str) -> Iterator[None]:
    """``tables``: environment variable -> logical id; each table is named ``world-<logical id>``."""
    env = {
        **{variable: f"world-{logical}" for variable, logical in tables.items()},
        "AWS_DEFAULT_REGION": "us-east-1",
        **environment,
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    settings._cache.clear()
    aws._clients.clear()
    try:
        with mock_aws(), dynamodb_atomicity():
            client = boto3.client("dynamodb")
            for variable, logical in tables.items():
                client.create_table(TableName=env[variable], **table_definition(logical))
            yield
    finally:
        settings._cache.clear()
        aws._clients.clear()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def in_process_vault(action: str, event: dict[str, Any]) -> dict[str, Any]:
    """The vault client's transport for unit tests (plain moto has no Lambda): the vault functions'
    own event handlers, called here, with the event and the answer through JSON as an invoke would."""
    from paygate.vault import inside

    handlers = {"tokenize": inside.handle_tokenize, "reveal": inside.handle_reveal}
    answer = handlers[action](json.loads(json.dumps(event)))
    return dict(json.loads(json.dumps(answer)))


@contextmanager
def vault_key() -> Iterator[str]:
    """Inside ``tables_world``: a KMS key in moto for the vault, its ARN in ``VAULT_KEY_ID``, and the
    vault client's in-process transport (``in_process_vault``)."""
    from paygate.vault import client

    arn = boto3.client("kms").create_key(Description="world vault")["KeyMetadata"]["Arn"]
    saved = os.environ.get("VAULT_KEY_ID")
    os.environ["VAULT_KEY_ID"] = arn
    settings._cache.clear()
    previous = client.use_transport(in_process_vault)
    try:
        yield arn
    finally:
        client.use_transport(previous)
        settings._cache.clear()
        if saved is None:
            os.environ.pop("VAULT_KEY_ID", None)
        else:
            os.environ["VAULT_KEY_ID"] = saved
