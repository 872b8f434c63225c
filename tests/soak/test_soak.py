"""The soak at small scale (`make soak` runs 500): faults in every worker, the outbox and the API."""

from __future__ import annotations

from tests.soak.soak import report, run


def test_payments_and_refunds_survive_faults_without_duplicates_or_lost_events() -> None:
    figures, cloud = run(payments=12, p=0.1, seed=7, time_scale=0.02, settle=60)
    print(report(figures, cloud))
    assert cloud.faults is not None and cloud.faults.total > 0, "the plan injected nothing"
    assert figures.duplicates == 0
    assert figures.problems == [], report(figures, cloud)
    assert figures.events_expected > 0 and figures.deliveries_received >= figures.events_expected
