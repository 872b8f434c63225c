"""GET /api/v1/test/jobs/status: what background work is pending, and whether the workers poll."""

from __future__ import annotations

from typing import Any

from localcloud.runtime import LocalCloud

from tests.helpers import wait_for
from tests.integration.gateway.client import Api
from tests.integration.gateway.conftest import keys_of


def test_jobs_status_shows_queues_executions_and_live_workers(api: Api) -> None:
    # Given a refund on its way
    payment = api.paid(2_000)
    api.created(f"/api/v1/payments/{payment['id']}/refunds", {})
    # When the status is read until the work is done
    status = wait_for(lambda: (body := api.get("/api/v1/test/jobs/status").json())["idle"] and body,
                      what="background jobs to drain")  # fmt: skip
    # Then it names every queue, state machine and worker, and the workers are live
    assert {q["name"] for q in status["queues"]} == {
        "paygate-payment-attempts",
        "paygate-payment-attempts-dlq",
        "paygate-refunds",
        "paygate-refunds-dlq",
    }
    assert status["state_machines"] == [{"name": "paygate-payment-processing", "running": 0}]
    workers = {w["function"]: w for w in status["workers"]}
    assert set(workers) == {"paygate-DispatchJobs", "paygate-AttemptPayment", "paygate-ProcessRefund"}
    assert workers["paygate-ProcessRefund"]["sources"] == ["paygate-refunds"]
    assert workers["paygate-AttemptPayment"]["sources"] == ["paygate-payment-attempts"]
    assert status["workers_live"] is True


def test_jobs_status_is_for_test_keys_only(gateway: LocalCloud, second_merchant: dict[str, Any]) -> None:
    live = Api.with_key(gateway.url, *keys_of(second_merchant, "live"))
    assert live.get("/api/v1/test/jobs/status").status_code == 404
    assert Api(gateway.url).get("/api/v1/test/jobs/status").status_code == 401
