"""The product template on localcloud (as tests/integration/gateway runs it) and the credentials the
contract tests call it with: the seeded test merchant, the platform admin, and a second merchant whose
dashboard session may rotate its own keys."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from localcloud.runtime import LocalCloud
from paygate.api.published import OPENAPI_DOCUMENT
from paygate.core.ids import derived_id
from paygate_cli.local import local_parameters

from tests.helpers import PRODUCT
from tests.integration.gateway.client import ADMIN_KEY, DASHBOARD_HEADER, SEED_EMAIL, SEED_KEY

ROTATOR_EMAIL = "rotator@example.com"
ROTATOR_PASSWORD = "rotator_password_123"


PACKAGED = OPENAPI_DOCUMENT


def generated_document() -> dict[str, Any]:
    """The build step, as a deploy runs it: in its own process (importing every function module into the
    process that runs localcloud disturbed the functions' per-invocation Powertools Metrics state)."""
    subprocess.run([sys.executable, "-m", "paygate.api.openapi", "--out", str(PACKAGED)], check=True)
    return json.loads(PACKAGED.read_text())


@pytest.fixture(scope="package")
def gateway() -> Iterator[LocalCloud]:
    generated_document()  # packaged before start: GetOpenapiDocument serves the file
    params = local_parameters(PRODUCT)
    with LocalCloud(PRODUCT, port=0, stack_name="paygate", parameters=params, time_scale=0.1) as running:
        yield running


@pytest.fixture(scope="package")
def base_url(gateway: LocalCloud) -> str:
    return gateway.url.rstrip("/")


@pytest.fixture(scope="package")
def rotator(base_url: str) -> dict[str, Any]:
    """A merchant of its own (created by the admin API), whose dashboard session may rotate its keys."""
    created = requests.post(
        f"{base_url}/api/v1/admin/merchants",
        json={"name": "Key Rotator", "email": ROTATOR_EMAIL, "password": ROTATOR_PASSWORD},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    return created.json()


@pytest.fixture(scope="package")
def protected_merchants(rotator: dict[str, Any]) -> set[str]:
    """Merchants the fuzzer's own calls depend on (the seeded one, the rotator): the stateful phase,
    which follows links from the admin list to PATCH, may not suspend or re-address them."""
    return {derived_id("mer", "seed", SEED_EMAIL), rotator["id"]}


@pytest.fixture(scope="package")
def rotator_session(base_url: str, rotator: dict[str, Any]) -> dict[str, str]:
    """Cookie + header of a dashboard session of the rotator."""
    login = requests.post(
        f"{base_url}/api/v1/dashboard/login",
        json={"email": ROTATOR_EMAIL, "password": ROTATOR_PASSWORD, "mode": "test"},
        headers=DASHBOARD_HEADER,
        timeout=30,
    )
    assert login.status_code == 200, login.text
    return {**DASHBOARD_HEADER, "Cookie": f"paygate_session={login.cookies['paygate_session']}"}


@pytest.fixture(scope="package")
def credentials(rotator_session: dict[str, str]) -> dict[str, dict[str, str]]:
    """Headers per authenticator name (``x-paygate-auth`` of the document's operations)."""
    return {
        "merchant": {"X-Api-Key": SEED_KEY[0], "X-Api-Secret": SEED_KEY[1]},
        "platform_admin": {"Authorization": f"Bearer {ADMIN_KEY}"},
        "dashboard_client": dict(DASHBOARD_HEADER),
        "public": {},
        "rotator_session": rotator_session,
    }
