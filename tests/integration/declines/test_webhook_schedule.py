"""The webhook retry schedule in real seconds (this gateway runs at time scale 1)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.helpers import wait_for
from tests.integration.gateway.client import Api
from tests.integration.gateway.receiver import Receiver, start_receiver


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


def test_500_twice_then_200_is_three_attempts_at_the_test_intervals(
    declining: Api, receiver: Receiver
) -> None:
    # Given a receiver that answers 500 twice, then 200
    receiver.scripts["/flaky"] = [500, 500]
    declining.created(
        "/api/v1/webhook_endpoints", {"url": receiver.url + "/flaky", "enabled_events": ["order.created"]}
    )
    # When an event is published
    declining.order(1_000)
    # Then there are exactly 3 attempts, 5 s and then 10 s apart (the test schedule 0/5/10/15/20): never
    # more than 1 s early; up to 3 s late (a loaded machine delays each hop of a retry: the wait's
    # execution, the fair queue's poll), which still tells 5 from 10 from 15, and real seconds from scaled
    wait_for(lambda: len(receiver.at("/flaky")) >= 3, timeout=45, what="3 attempts")
    hits = receiver.at("/flaky")
    gaps = [b.at - a.at for a, b in itertools.pairwise(hits)]
    assert len(hits) == 3
    assert 4 <= gaps[0] < 8 and 9 <= gaps[1] < 13, gaps
