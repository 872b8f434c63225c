"""Stream event-source mapping: BisectBatchOnFunctionError halves a failed batch, as Lambda does."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from localcloud.eventsources import StreamPoller
from localcloud.lambdas import Invocation
from localcloud.provision import EventSourceMapping


class _TooBig:
    """A function that fails (a timeout, say) whenever it is handed more than ``limit`` records."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spec = SimpleNamespace(name="fn")
        self.delivered: list[str] = []
        self.calls = 0

    def invoke(self, event: dict[str, Any]) -> Invocation:
        self.calls += 1
        records = event["Records"]
        if len(records) > self.limit:
            return Invocation("r", error=TimeoutError("too slow"))
        self.delivered += [r["dynamodb"]["SequenceNumber"] for r in records]
        return Invocation("r", payload={"batchItemFailures": []})


def _poller(function: _TooBig, bisect: bool) -> StreamPoller:
    poller = StreamPoller.__new__(StreamPoller)  # no stream to read: only deliver() is under test
    poller.mapping = EventSourceMapping(
        "Changes", "arn:aws:dynamodb:us-east-1:1:table/t/stream/s", "fn", 100, True, "TRIM_HORIZON",
        max_retry_attempts=2, batching_window=0, filters=[], bisect_on_error=bisect,
    )  # fmt: skip
    poller.function = function  # type: ignore[assignment]
    poller.stopping = threading.Event()
    poller.stopping.wait = lambda _seconds=None: False  # type: ignore[method-assign]  # no backoff sleeps
    return poller


def _records(n: int) -> list[dict[str, Any]]:
    return [{"dynamodb": {"SequenceNumber": str(100 + i)}} for i in range(n)]


def test_a_batch_that_fails_whole_is_halved_until_it_fits_and_every_record_arrives_in_order() -> None:
    function = _TooBig(limit=25)
    _poller(function, bisect=True).deliver(_records(100))
    assert function.delivered == [str(100 + i) for i in range(100)]


def test_without_bisect_the_batch_is_discarded_after_its_retries() -> None:
    function = _TooBig(limit=25)
    _poller(function, bisect=False).deliver(_records(100))
    assert function.delivered == []
    assert function.calls == 3  # the first attempt and MaximumRetryAttempts 2
