"""The circuit breaker of a connector configuration, on moto (``moto_world``: the connectors table from
its stack's template, item writes atomic across threads as on DynamoDB).

Random sequences of outcomes, ``allow`` calls and clock steps are checked against a small reference
model written from the rules (not from the module) after every step; threads race the conditional
writes: errors recorded at once open it exactly once with nothing lost, and one probe is granted.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paygate.connectors import breaker
from paygate.connectors.base import Outcome
from paygate.connectors.breaker import BreakerState
from paygate.core import clock

from tests.helpers import at_once
from tests.unit.moto_world import tables_world

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
ERRORS = (Outcome.PROCESSOR_ERROR_RETRYABLE, Outcome.UNKNOWN)
ANSWERED = tuple(o for o in Outcome if o not in ERRORS)  # declines and successes: the processor works
_ids = itertools.count()
T = TypeVar("T")


@pytest.fixture
def now() -> Iterator[list[datetime]]:
    """The clock, moved by assigning ``now[0]``, in a world with the connectors table."""
    moment = [START]
    clock.set_clock(lambda: moment[0])
    try:
        with tables_world({"CONNECTORS_TABLE": "ConnectorsTable"}):
            yield moment
    finally:
        clock.set_clock(None)


def new_configuration() -> str:
    return f"mca_breaker{next(_ids):06d}"


# --- the reference model: the contract's rules, written independently -----------------------------
N, M, R, WINDOW, COOL = 5, 20, 50, 60_000, 30_000  # the documented constants (ms)


@dataclass(frozen=True)
class Model:
    state: str = "closed"
    consecutive: int = 0
    window_start: int | None = None
    calls: int = 0
    errors: int = 0
    opened_at: int = 0
    probe_at: int | None = None  # a claimed probe (half-open)
    min_calls: int = M  # the rate rule's minimum of calls (smaller in the property test: fewer calls)

    def allow(self, t: int) -> tuple[tuple[bool, str], Model]:
        if self.state == "closed":
            return (True, "closed"), self
        if self.probe_at is None:
            if t - self.opened_at < COOL:
                return (False, "open"), self
            return (True, "half_open"), replace(self, probe_at=t)
        if t - self.probe_at < COOL:
            return (False, "open"), self  # the probe is out: the others see "open"
        return (True, "half_open"), replace(self, probe_at=t)  # the last claim expired

    def record(self, error: bool, t: int) -> Model:
        if self.state == "open":
            if self.probe_at is None:
                return self  # late results while open change nothing
            return self._open(t) if error else Model(min_calls=self.min_calls)
        start, calls, errors = self.window_start, self.calls, self.errors
        if start is None or t - start >= WINDOW:
            start, calls, errors = t, 0, 0
        calls, errors = calls + 1, errors + error
        consecutive = self.consecutive + 1 if error else 0
        if consecutive >= N or (calls >= self.min_calls and 100 * errors > R * calls):
            return self._open(t)
        return replace(self, consecutive=consecutive, window_start=start, calls=calls, errors=errors)

    def _open(self, t: int) -> Model:
        return Model("open", opened_at=t, min_calls=self.min_calls)

    def stored(self) -> tuple[str, int, int, int]:
        state = "half_open" if self.probe_at is not None else self.state
        return state, self.consecutive, self.calls, self.errors


def stored(connector_id: str) -> tuple[str, int, int, int]:
    found = breaker.read(connector_id)
    return found.state.value, found.consecutive_errors, found.window_calls, found.window_errors


def test_the_model_uses_the_documented_constants() -> None:
    assert (breaker.CONSECUTIVE_ERRORS, breaker.RATE_MIN_CALLS, breaker.RATE_PERCENT) == (N, M, R)
    assert (breaker.WINDOW_SECONDS * 1000, breaker.COOL_DOWN_SECONDS * 1000) == (WINDOW, COOL)


# --- hypothesis: any sequence, after every step --------------------------------------------------------
TICKS_MS = [1, 999, 5_000, 29_999, 30_000, 30_001, 59_999, 60_000, 61_000, 120_000]
step = st.one_of(
    st.tuples(st.just("record"), st.sampled_from(list(Outcome))),
    # an outage: k processor errors in a row (so the states past "closed" are reached)
    st.tuples(st.just("outage"), st.integers(min_value=1, max_value=6), st.sampled_from(ERRORS)),
    st.tuples(st.just("allow")),
    st.tuples(st.just("tick"), st.sampled_from(TICKS_MS)),
    st.tuples(st.just("tick_allow"), st.sampled_from(TICKS_MS)),  # a clock step, then a caller
    # a mixed run (the rate rule): a short pattern of errors (True) and answers, repeated
    st.tuples(st.just("mixed"), st.integers(2, 3), st.lists(st.booleans(), min_size=2, max_size=4)),
)


SMALL_M = 6  # the rate rule's minimum in the property test, so short runs reach it (20 below)


def test_any_sequence_of_outcomes_and_clock_steps_follows_the_model(
    now: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(breaker, "RATE_MIN_CALLS", SMALL_M)

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(steps=st.lists(step, min_size=3, max_size=16))
    def run(steps: list[tuple[Any, ...]]) -> None:
        connector_id = new_configuration()
        now[0] = START
        model = Model(min_calls=SMALL_M)
        elapsed = 0
        for found in steps:
            if found[0] in ("tick", "tick_allow"):
                elapsed += found[1]
                now[0] = START + timedelta(milliseconds=elapsed)
            if found[0] in ("allow", "tick_allow"):
                decision = breaker.allow(connector_id)
                expected, model = model.allow(elapsed)
                assert (decision.allowed, decision.state.value) == expected, (found, model, decision)
                assert decision.probe == (expected[1] == "half_open")
                assert decision.reason
            elif found[0] != "tick":
                for outcome in _outcomes(found):
                    left_in = breaker.record(connector_id, outcome)
                    model = model.record(outcome in ERRORS, elapsed)
                    assert left_in.value == model.stored()[0], (found, model)
            assert stored(connector_id) == model.stored(), (found, model)

    run()


def _outcomes(found: tuple[Any, ...]) -> list[Outcome]:
    if found[0] == "record":
        return [found[1]]
    if found[0] == "outage":
        return [found[2]] * found[1]
    pattern = [Outcome.PROCESSOR_ERROR_RETRYABLE if error else Outcome.DECLINED_SOFT for error in found[2]]
    return pattern * found[1]


def _mixed(rounds: int, errors_per_3: int) -> list[Outcome]:
    one = [Outcome.PROCESSOR_ERROR_RETRYABLE] * errors_per_3 + [Outcome.DECLINED_SOFT] * (3 - errors_per_3)
    return one * rounds


# --- the rules, one by one --------------------------------------------------------------------------
def test_consecutive_errors_open_it_and_the_reason_says_why(now: list[datetime]) -> None:
    connector_id = new_configuration()
    # Given 4 processor errors (an unknown among them): still closed
    for outcome in [Outcome.PROCESSOR_ERROR_RETRYABLE] * 3 + [Outcome.UNKNOWN]:
        assert breaker.record(connector_id, outcome) is BreakerState.CLOSED
    assert breaker.allow(connector_id).allowed
    # When a 5th comes 3 seconds later
    now[0] = START + timedelta(seconds=3)
    assert breaker.record(connector_id, Outcome.PROCESSOR_ERROR_RETRYABLE) is BreakerState.OPEN
    # Then calls are refused, and the trace says since when and why
    decision = breaker.allow(connector_id)
    assert not decision.allowed and decision.state is BreakerState.OPEN
    assert decision.reason == "open since 12:00:03 after 5 consecutive processor errors"


def test_declines_and_bad_requests_are_answers_not_processor_errors(now: list[datetime]) -> None:
    connector_id = new_configuration()
    for _ in range(10):
        for outcome in ANSWERED:
            breaker.record(connector_id, outcome)
    assert stored(connector_id)[:2] == ("closed", 0)
    # a decline between errors breaks the run of consecutive errors
    for outcome in [Outcome.UNKNOWN] * 4 + [Outcome.DECLINED_HARD] + [Outcome.UNKNOWN] * 4:
        breaker.record(connector_id, outcome)
    assert stored(connector_id)[:2] == ("closed", 4)


def test_an_error_rate_over_the_window_opens_it_only_from_the_minimum_of_calls(now: list[datetime]) -> None:
    connector_id = new_configuration()
    # Given 2 errors in every 3 calls (never 5 in a row): 19 calls are too few to judge
    calls = _mixed(7, 2)[:19]
    for outcome in calls:
        breaker.record(connector_id, outcome)
    assert stored(connector_id) == ("closed", 1, 19, 13)
    # When the 20th call is an error: 14 of 20 is over 50 %
    assert breaker.record(connector_id, Outcome.PROCESSOR_ERROR_RETRYABLE) is BreakerState.OPEN
    assert "14 processor errors in 20 calls within 60 s" in breaker.allow(connector_id).reason


def test_exactly_half_does_not_open_it_and_an_old_window_is_forgotten(now: list[datetime]) -> None:
    connector_id = new_configuration()
    for outcome in [Outcome.PROCESSOR_ERROR_RETRYABLE, Outcome.SUCCEEDED] * 10:
        breaker.record(connector_id, outcome)
    assert stored(connector_id) == ("closed", 0, 20, 10)  # 50 % is not more than 50 %
    now[0] = START + timedelta(seconds=breaker.WINDOW_SECONDS)
    breaker.record(connector_id, Outcome.PROCESSOR_ERROR_RETRYABLE)
    assert stored(connector_id) == ("closed", 1, 1, 1)  # a new window


def _opened(connector_id: str) -> None:
    for _ in range(breaker.CONSECUTIVE_ERRORS):
        breaker.record(connector_id, Outcome.PROCESSOR_ERROR_RETRYABLE)
    assert breaker.read(connector_id).state is BreakerState.OPEN


def test_the_probe_closes_it_or_opens_it_again_with_a_new_cool_down(now: list[datetime]) -> None:
    connector_id = new_configuration()
    _opened(connector_id)
    cool_down = timedelta(seconds=breaker.COOL_DOWN_SECONDS)
    now[0] = START + cool_down - timedelta(milliseconds=1)
    assert not breaker.allow(connector_id).allowed
    # the cool-down over: one probe; it fails, so open again from now
    now[0] = START + cool_down
    probe = breaker.allow(connector_id)
    assert probe.allowed and probe.probe and probe.state is BreakerState.HALF_OPEN
    assert breaker.record(connector_id, Outcome.PROCESSOR_ERROR_RETRYABLE) is BreakerState.OPEN
    refused = breaker.allow(connector_id)
    assert not refused.allowed and refused.reason == "open since 12:00:30 after the half-open probe failed"
    # the next probe, a cool-down later, succeeds: closed with counters reset
    now[0] = START + 2 * cool_down
    assert breaker.allow(connector_id).probe
    assert breaker.record(connector_id, Outcome.DECLINED_SOFT) is BreakerState.CLOSED
    assert stored(connector_id) == ("closed", 0, 0, 0)
    assert breaker.allow(connector_id) == breaker.Decision(True, BreakerState.CLOSED, "closed")
    assert breaker.read(connector_id).opens == 2


def test_results_of_calls_admitted_before_it_opened_change_nothing(now: list[datetime]) -> None:
    connector_id = new_configuration()
    _opened(connector_id)
    before = breaker.read(connector_id)
    assert breaker.record(connector_id, Outcome.SUCCEEDED) is BreakerState.OPEN
    assert breaker.record(connector_id, Outcome.UNKNOWN) is BreakerState.OPEN
    assert breaker.read(connector_id) == before


def test_a_probe_never_reported_expires_after_the_cool_down(now: list[datetime]) -> None:
    connector_id = new_configuration()
    _opened(connector_id)
    cool_down = timedelta(seconds=breaker.COOL_DOWN_SECONDS)
    # Given a probe claimed by a Lambda that then crashed (never records)
    now[0] = START + cool_down
    assert breaker.allow(connector_id).probe
    # Then until a cool-down has passed since the claim, everyone sees "open"
    now[0] = START + 2 * cool_down - timedelta(milliseconds=1)
    waiting = breaker.allow(connector_id)
    assert (waiting.allowed, waiting.state) == (False, BreakerState.OPEN)
    assert "a probe is in flight since 12:00:30" in waiting.reason
    # When it has passed, another probe is granted (one, also under a race)
    now[0] = START + 2 * cool_down
    decisions = at_once(*[lambda: breaker.allow(connector_id) for _ in range(10)])
    assert [d.probe for d in decisions].count(True) == 1
    assert "never reported" in next(d for d in decisions if d.probe).reason
    assert breaker.record(connector_id, Outcome.SUCCEEDED) is BreakerState.CLOSED


# --- threads -----------------------------------------------------------------------------------------
def test_errors_recorded_at_once_are_all_counted_and_open_it_once(now: list[datetime]) -> None:
    connector_id = new_configuration()
    # Given 4 errors at once: none lost (a lost update would leave fewer)
    at_once(
        *[
            lambda: breaker.record(connector_id, Outcome.UNKNOWN)
            for _ in range(breaker.CONSECUTIVE_ERRORS - 1)
        ]
    )
    assert stored(connector_id) == ("closed", 4, 4, 4)
    # and 20 answers at once from another configuration: all 20 in its window
    other = new_configuration()
    at_once(*[lambda: breaker.record(other, Outcome.SUCCEEDED) for _ in range(20)])
    assert stored(other) == ("closed", 0, 20, 0)
    # When 20 threads record errors at once
    fresh = new_configuration()
    states = at_once(*[lambda: breaker.record(fresh, Outcome.PROCESSOR_ERROR_RETRYABLE) for _ in range(20)])
    # Then, as serially: the 5th opened it, the 15 after it were ignored; it opened once
    found = breaker.read(fresh)
    assert found.state is BreakerState.OPEN and found.opens == 1
    assert found.open_reason == "5 consecutive processor errors"
    assert states.count(BreakerState.CLOSED) == breaker.CONSECUTIVE_ERRORS - 1
    assert states.count(BreakerState.OPEN) == 20 - (breaker.CONSECUTIVE_ERRORS - 1)


def test_twenty_callers_past_the_cool_down_get_exactly_one_probe(now: list[datetime]) -> None:
    connector_id = new_configuration()
    _opened(connector_id)
    now[0] = START + timedelta(seconds=breaker.COOL_DOWN_SECONDS)
    decisions = at_once(*[lambda: breaker.allow(connector_id) for _ in range(20)])
    granted = [d for d in decisions if d.allowed]
    assert len(granted) == 1 and granted[0].probe and granted[0].state is BreakerState.HALF_OPEN
    assert all(d.state is BreakerState.OPEN for d in decisions if not d.allowed)
    assert breaker.read(connector_id).state is BreakerState.HALF_OPEN
