"""The soak at small scale (`make soak` runs 500): faults in every worker, the outbox and the API."""

from __future__ import annotations

import pytest

from tests.soak.soak import report, run


@pytest.mark.xfail(
    reason="open soak findings (README, 'Fault injection'): some events not delivered within the settle "
    "time in some runs; a refund retried after its first run wrote it answered 400 once; 422 "
    "IDEMPOTENCY_KEY_REUSED on a fresh key under injected timeouts + throttles. Duplicated money, the "
    "first finding, is fixed and covered by an integration test.",
    strict=False,
)
def test_payments_and_refunds_survive_faults_without_duplicates_or_lost_events() -> None:
    figures, cloud = run(payments=20, p=0.1, seed=7, time_scale=0.02, settle=25)
    print(report(figures, cloud))
    assert cloud.faults is not None and cloud.faults.total > 0, "the plan injected nothing"
    assert figures.duplicates == 0
    assert figures.problems == []
    assert figures.events_expected > 0 and figures.deliveries_received >= figures.events_expected
