"""schemathesis against the running gateway, every documented operation, with real credentials.

All four of schemathesis's default phases run, as its CLI runs them: examples, coverage (every
boundary and every undeclared method, TRACE and QUERY included: localcloud answers them as API
Gateway does), fuzzing (positive and negative) and stateful (sequences along the links schemathesis
infers between operations: create an order, read it, pay it, refund the payment...).

Checks: no 5xx, a documented status code, the documented content type, and a body that conforms to
the documented schema (success and error shapes alike). ``PAYGATE_FUZZ_EXAMPLES`` sets the examples
per operation (``make fuzz`` runs many more than the test suite); ``PAYGATE_FUZZ_SCENARIOS`` the
stateful scenarios.

Nothing is skipped. Where the fuzzer must not use the seeded key, another caller is used, said here:
- ``POST /api/v1/dashboard/credentials/regenerate`` rotates the caller's key pair: with the seeded key
  every later example (and test) would be a 401. It runs with the dashboard session of a merchant of
  its own (a session outlives its merchant's key rotation).
- ``POST /api/v1/dashboard/logout`` runs without a session cookie (dashboard_client: the header only),
  so no session the other examples use is ended.
- admin routes run with the platform admin key: they create merchants (harmless) and update ids the
  fuzzer invents (404), never the seeded merchant's. The stateful phase can follow a link from the
  merchant list to ``PATCH /api/v1/admin/merchants/{merchant_id}``: for the merchants the other calls
  depend on (``protected_merchants``) the id is swapped for an unknown one (a 404) before the call.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
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
# stateful scenarios (each up to 6 linked calls): 25 in the suite, four per example in `make fuzz`
SCENARIOS = int(os.environ.get("PAYGATE_FUZZ_SCENARIOS") or max(25, 4 * EXAMPLES))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
schema = schemathesis.openapi.from_dict(generated_document())
OWN_CALLER = {("POST", "/api/v1/dashboard/credentials/regenerate"): "rotator_session"}


def caller_of(case: Case) -> str:
    operation = case.operation.definition.raw
    return OWN_CALLER.get((case.method.upper(), case.operation.path), operation["x-paygate-auth"])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=not RANDOM,
)
def test_operation_conforms(case: Case, base_url: str, credentials: dict[str, dict[str, str]]) -> None:
    case.call_and_validate(base_url=base_url, headers=credentials[caller_of(case)], checks=CHECKS, timeout=30)


@pytest.mark.slow
def test_stateful_sequences_conform(
    base_url: str, credentials: dict[str, dict[str, str]], protected_merchants: set[str]
) -> None:
    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Case) -> None:
            if (case.path_parameters or {}).get("merchant_id") in protected_merchants:
                case.path_parameters["merchant_id"] = "mer_00000000000000"  # type: ignore[index]

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"base_url": base_url, "headers": credentials[caller_of(case)], "timeout": 30}

        def validate_response(self, response: Any, case: Case, **kwargs: Any) -> None:
            kwargs.pop("additional_checks", None)
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Sequences.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=schema.config.phases.stateful.max_steps,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=not RANDOM,
        )
    )
