"""The soak at small scale (`make soak` runs 500): faults in every worker, the outbox and the API."""

from __future__ import annotations

import pytest

from tests.soak.soak import report, run


@pytest.mark.xfail(
    reason="real gateway bugs found by the soak, not fixed yet (see /work/notes/faults-soak.md): a create "
    "re-executed after its idempotency record's completion write was throttled duplicates a payment or "
    "refund; an event whose delivery failed before fan-out is lost",
    strict=False,
)
def test_payments_and_refunds_survive_faults_without_duplicates_or_lost_events() -> None:
    figures, cloud = run(payments=20, p=0.1, seed=7, time_scale=0.02, settle=25)
    print(report(figures, cloud))
    assert cloud.faults is not None and cloud.faults.total > 0, "the plan injected nothing"
    assert figures.duplicates == 0
    assert figures.problems == []
    assert figures.events_expected > 0 and figures.deliveries_received >= figures.events_expected
