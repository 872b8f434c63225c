"""The product template, running on localcloud as `paygate local` runs it, for every test of this package."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from localcloud.runtime import LocalCloud
from paygate_cli.local import local_parameters

from tests.helpers import PRODUCT
from tests.integration.gateway.client import ADMIN_KEY, SEED_KEY, Api


class LogCapture(logging.Handler):
    """Every record the gateway's functions and localcloud log, with its extras, as text."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = dict(record.__dict__)
        fields["formatted_message"] = record.getMessage()
        if record.exc_info:
            fields["exception"] = logging.Formatter().formatException(record.exc_info)
        self.lines.append(json.dumps(fields, default=str))


@pytest.fixture(scope="package", autouse=True)
def captured_logs(gateway: LocalCloud) -> Iterator[LogCapture]:
    """Attached once the gateway runs (Powertools resets its logger's handlers when it is created)."""
    capture = LogCapture()
    loggers = [logging.getLogger(name) for name in ("paygate", "localcloud", "")]
    for found in loggers:
        found.addHandler(capture)
    yield capture
    for found in loggers:
        found.removeHandler(capture)


@pytest.fixture(scope="package")
def gateway() -> Iterator[LocalCloud]:
    # time scale 0.1: Step Functions Retry intervals (2 s, 4 s) pass ten times faster
    params = local_parameters(PRODUCT)
    params["CircuitCoolDownSeconds"] = "3"  # an open circuit lets its probe through in 3 s, not 30
    with LocalCloud(PRODUCT, port=0, stack_name="paygate", parameters=params, time_scale=0.1) as running:
        yield running


@pytest.fixture(scope="package")
def api(gateway: LocalCloud) -> Api:
    """The seeded test merchant's test key."""
    return Api.with_key(gateway.url, *SEED_KEY)


@pytest.fixture(scope="package")
def admin(gateway: LocalCloud) -> Api:
    return Api(gateway.url, {"Authorization": f"Bearer {ADMIN_KEY}"})


@pytest.fixture(scope="package")
def second_merchant(admin: Api) -> dict[str, Any]:
    """Another tenant, created through the platform admin API; its key secrets as shown once."""
    return admin.created("/api/v1/admin/merchants", {"name": "Second Shop", "email": "second@example.com"})


def keys_of(merchant: dict[str, Any], mode: str) -> tuple[str, str]:
    key = next(k for k in merchant["keys"] if k["mode"] == mode)
    return key["key_id"], key["key_secret"]


def executions(gateway: LocalCloud, logical_id: str) -> list[dict[str, Any]]:
    """The Step Functions executions of a state machine of the stack (``Webhooks/WebhookDelivery``)."""
    sfn = boto3.client("stepfunctions", region_name=gateway.region)
    return sfn.list_executions(stateMachineArn=gateway.physical(logical_id), maxResults=1000)["executions"]
