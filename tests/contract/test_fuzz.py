"""schemathesis against the running gateway, every documented operation, with real credentials.

Checks: no 5xx, a documented status code, the documented content type, and a body that conforms to
the documented schema (success and error shapes alike). ``PAYGATE_FUZZ_EXAMPLES`` sets the examples
per operation (``make fuzz`` runs many more than the test suite).

Nothing is skipped. Where the fuzzer must not use the seeded key, another caller is used, said here:
- ``POST /api/v1/dashboard/credentials/regenerate`` rotates the caller's key pair: with the seeded key
  every later example (and test) would be a 401. It runs with the dashboard session of a merchant of
  its own (a session outlives its merchant's key rotation).
- ``POST /api/v1/dashboard/logout`` runs without a session cookie (dashboard_client: the header only),
  so no session the other examples use is ended.
- admin routes run with the platform admin key: they create merchants (harmless) and update ids the
  fuzzer invents (404), never the seeded merchant's.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.contract.conftest import generated_document

EXAMPLES = int(os.environ.get("PAYGATE_FUZZ_EXAMPLES", "6"))
# In the test suite the examples are derandomized (the same cases every run: CI cannot flake on a lucky
# draw); `make fuzz` explores with fresh random ones (PAYGATE_FUZZ_RANDOM=1) and many more of them.
RANDOM = os.environ.get("PAYGATE_FUZZ_RANDOM") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
schema = schemathesis.openapi.from_dict(generated_document())
# The coverage phase also sends methods a route does not take. localcloud's HTTP server (Python's
# http.server) answers TRACE and QUERY itself with 501 before any routing; API Gateway never forwards
# them either. Every other undeclared method is still sent.
schema.config.phases.coverage.unexpected_methods -= {"trace", "query"}
OWN_CALLER = {("POST", "/api/v1/dashboard/credentials/regenerate"): "rotator_session"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=not RANDOM,
)
def test_operation_conforms(case: Any, base_url: str, credentials: dict[str, dict[str, str]]) -> None:
    operation = case.operation.definition.raw
    caller = OWN_CALLER.get((case.method.upper(), case.operation.path), operation["x-paygate-auth"])
    case.call_and_validate(base_url=base_url, headers=credentials[caller], checks=CHECKS, timeout=30)
