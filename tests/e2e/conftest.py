"""The base URL the e2e flows run against: ``E2E_BASE_URL`` (a deployed stack in test mode, seeded),
or else a gateway started here on localcloud, as `paygate local` would start it.

For a deployed stack, ``E2E_API_KEY`` / ``E2E_API_SECRET`` name the test key to use (default: the
seeded merchant's documented test key).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from localcloud.runtime import LocalCloud
from paygate_cli.local import local_parameters

from tests.helpers import PRODUCT
from tests.integration.gateway.client import SEED_KEY, Api


@pytest.fixture(scope="package")
def base_url() -> Iterator[str]:
    given = os.environ.get("E2E_BASE_URL", "").strip()
    if given:
        yield given.rstrip("/")
        return
    with LocalCloud(PRODUCT, port=0, stack_name="paygate", parameters=local_parameters(PRODUCT)) as running:
        yield running.url


@pytest.fixture(scope="package")
def api(base_url: str) -> Api:
    key = os.environ.get("E2E_API_KEY", SEED_KEY[0])
    secret = os.environ.get("E2E_API_SECRET", SEED_KEY[1])
    return Api.with_key(base_url, key, secret)
