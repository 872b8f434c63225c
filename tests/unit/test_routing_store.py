"""routing_store on moto (the connectors table from its stack's template): what the payment path reads
before ``route``. ``availability`` reads every configuration the rules name and its circuit breaker in
one BatchGetItem, reports deleted and foreign ids as deleted, and never claims a half-open probe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from paygate.connectors import breaker, routing_store, store
from paygate.connectors.base import Outcome
from paygate.connectors.routing import PaymentFacts, route
from paygate.connectors.routing_models import parse_config
from paygate.core import aws, clock

from tests.unit.moto_world import tables_world

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def world() -> Iterator[list[str]]:
    """The connectors table; yields the DynamoDB operations called (after the fixture's own writes)."""
    clock.set_clock(lambda: START)
    try:
        with tables_world({"CONNECTORS_TABLE": "ConnectorsTable"}):
            calls: list[str] = []
            aws.client("dynamodb").meta.events.register(
                "before-call.dynamodb", lambda model, **_: calls.append(model.name)
            )
            yield calls
    finally:
        clock.set_clock(None)


def _configuration(mca: str, merchant_id: str = "mer_a", mode: str = "test", enabled: bool = True) -> None:
    data: dict[str, Any] = {
        "id": mca,
        "merchant_id": merchant_id,
        "mode": mode,
        "connector": "stripe",
        "enabled": enabled,
        "created_at": "2026-03-01T00:00:00.000Z",
    }
    assert store.objects.put_new(store.objects.new_item(store.KIND, data))


def test_availability_reads_everything_at_once_and_claims_no_probe(world: list[str]) -> None:
    # Given: an open breaker past its cool-down, a disabled, a foreign, a live and a deleted configuration
    for mca in ("mca_up", "mca_probe"):
        _configuration(mca)
    _configuration("mca_off", enabled=False)
    _configuration("mca_theirs", merchant_id="mer_b")
    _configuration("mca_live", mode="live")
    clock.set_clock(lambda: START - timedelta(minutes=5))
    for _ in range(breaker.CONSECUTIVE_ERRORS):
        breaker.record("mca_probe", Outcome.PROCESSOR_ERROR_RETRYABLE)
    clock.set_clock(lambda: START)
    opened = breaker.read("mca_probe")
    config = parse_config(
        {
            "rules": [{"action": {"type": "priority", "connectors": ["mca_gone", "mca_off", "mca_probe"]}}],
            "default": {"type": "priority", "connectors": ["mca_theirs", "mca_live", "mca_up", "mca_probe"]},
        }
    )
    world.clear()
    # When
    available = routing_store.availability("mer_a", "test", config)
    # Then: one BatchGetItem for the configurations and their breakers
    assert world == ["BatchGetItem"]
    assert set(available) == {"mca_gone", "mca_off", "mca_probe", "mca_theirs", "mca_live", "mca_up"}
    for gone in ("mca_gone", "mca_theirs", "mca_live"):
        assert (available[gone].enabled, available[gone].reason) == (False, "deleted"), gone
    assert (available["mca_off"].enabled, available["mca_off"].reason) == (False, None)
    assert (available["mca_up"].allowed, available["mca_up"].reason, available["mca_up"].connector) == (
        True,
        None,
        "stripe",
    )
    probe = available["mca_probe"]
    assert probe.allowed and probe.reason is not None and probe.reason.startswith("circuit half-open probe")
    assert breaker.read("mca_probe") == opened  # read only: still open, same version
    # and the trace says why each one is skipped
    decision = route(config, PaymentFacts("card", "INR", 100, "visa"), available, "pay_x")
    fates = {c.id: c.reason for c in decision.trace.connectors}
    assert (fates["mca_gone"], fates["mca_off"]) == ("deleted", "disabled")
    assert decision.candidates == ["mca_probe"]


def test_load_and_put_are_version_conditioned(world: list[str]) -> None:
    assert routing_store.load("mer_a", "test") is None
    config = parse_config({"default": {"type": "priority", "connectors": ["mca_up"]}})
    first = routing_store.put("mer_a", "test", config, read_version=0)
    assert first is not None and first.version == 1
    assert routing_store.put("mer_a", "test", config, read_version=0) is None  # someone wrote first
    assert routing_store.put("mer_a", "test", config, read_version=2) is None
    loaded = routing_store.load("mer_a", "test")
    assert loaded == first and loaded.default == config.default
    assert routing_store.load("mer_a", "live") is None and routing_store.load("mer_b", "test") is None
    assert routing_store.availability("mer_a", "test", None) == {}
