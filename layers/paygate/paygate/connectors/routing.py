"""The routing decision: which connector configurations a payment attempt tries, in order, and why.

Pure: no clock, no AWS, no randomness. Everything it decides on is an argument (the configuration,
the payment's facts, each configuration's state as the caller read it: enabled, and what its circuit
breaker says), so the same inputs always give the same decision and the trace explains it fully.
A volume split draws from a hash of ``attempt_key``: the same payment lands on the same connector
every time it is routed (a redelivery, a retry), and over many payments the shares hold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from paygate.connectors.routing_models import (
    SIMULATOR,
    Action,
    Conditions,
    ConnectorConsidered,
    MatchedRule,
    PriorityAction,
    RoutingConfig,
    RoutingConfigIn,
    RoutingDecision,
    RoutingTrace,
    RuleSkipped,
    SplitDraw,
    VolumeSplitAction,
)
from paygate.core.money import format_minor

BUCKETS = 100  # a split's weights are percentages: one bucket per percent


@dataclass(frozen=True)
class PaymentFacts:
    """What rules look at. ``network`` is None for a payment that is not by card."""

    method: str  # card, upi, wallet
    currency: str  # ISO 4217, upper case
    amount: int  # minor units
    network: str | None = None  # visa, mastercard, amex, rupay


@dataclass(frozen=True)
class Availability:
    """One configuration's state when the payment is routed. ``allowed`` and ``reason`` are the
    circuit breaker's answer ("circuit open since 2025-01-02T03:04:05Z", "half-open: probe"); a reason
    is shown in the trace whether or not the configuration is used."""

    enabled: bool = True
    allowed: bool = True
    reason: str | None = None
    connector: str | None = None  # stripe, razorpay, simulator: shown in the trace
    # the configuration's stored item as read for routing, so the call that follows need not read it
    # again (its credentials are still a ciphertext here); never part of a decision or a trace
    item: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)


def route(
    config: RoutingConfigIn | None,
    facts: PaymentFacts,
    available: Mapping[str, Availability],
    attempt_key: str,
    config_version: int | None = None,
) -> RoutingDecision:
    """The candidates to try (first choice, then the failover order) and the trace saying why.

    Candidates are always configurations the matched action lists, enabled and allowed by their
    breaker, each once. None of them available: no candidates (the payment cannot be routed; never a
    connector the merchant did not list). No configuration, or no rule matched and no default: the
    built-in simulator, as before routing existed. ``config_version`` defaults to a stored
    configuration's own version."""
    if config_version is None and isinstance(config, RoutingConfig):
        config_version = config.version
    trace = RoutingTrace(config_version=config_version, source="simulator")
    if config is None:
        return _simulator(trace, "no routing configuration: the built-in simulator")
    action: Action | None = None
    for index, rule in enumerate(config.rules):
        mismatch = _mismatch(rule.conditions, facts)
        if mismatch is not None:
            trace.rules_skipped.append(RuleSkipped(index=index, name=rule.name, reason=mismatch))
            continue
        trace.source = "rule"
        trace.rule = MatchedRule(index=index, name=rule.name, description=rule.conditions.describe())
        named = f" ({rule.name})" if rule.name else ""
        trace.steps.append(f"rule {index}{named} matched: {trace.rule.description}")
        action = rule.action
        break
    if action is None:
        if config.default is None:
            return _simulator(trace, _no_match(config) + "; no default: the built-in simulator")
        trace.source = "default"
        trace.steps.append(_no_match(config) + ": the default action")
        action = config.default
    trace.action = action.describe()
    if isinstance(action, PriorityAction):
        candidates = _priority(action, available, trace)
    else:
        candidates = _volume_split(action, available, attempt_key, trace)
    if not candidates:
        trace.steps.append("no configuration of the action is available: the payment cannot be routed")
    return RoutingDecision(candidates=candidates, trace=trace)


def _no_match(config: RoutingConfigIn) -> str:
    return "no rule matched" if config.rules else "no rules"


def _simulator(trace: RoutingTrace, why: str) -> RoutingDecision:
    trace.source = "simulator"
    trace.steps.append(why)
    trace.connectors.append(
        ConnectorConsidered(id=SIMULATOR, connector=SIMULATOR, outcome="chosen", position=0, reason=why)
    )
    return RoutingDecision(candidates=[SIMULATOR], trace=trace)


def _mismatch(conditions: Conditions, facts: PaymentFacts) -> str | None:
    """The first condition the payment does not meet, in words; None when all hold."""
    if conditions.methods is not None and facts.method not in conditions.methods:
        return f"method {facts.method} is not {'/'.join(conditions.methods)}"
    if conditions.networks is not None and facts.network not in conditions.networks:
        wanted = "/".join(conditions.networks)
        if facts.network is None:
            return f"no card network (the rule wants {wanted})"
        return f"network {facts.network} is not {wanted}"
    if conditions.currencies is not None and facts.currency not in conditions.currencies:
        return f"currency {facts.currency} is not {'/'.join(conditions.currencies)}"
    if conditions.amount is not None and not conditions.amount.holds(facts.amount):
        currency = facts.currency
        return f"amount {format_minor(facts.amount, currency)} is not {conditions.amount.describe(currency)}"
    return None


def _unavailable(mca: str, available: Mapping[str, Availability]) -> str | None:
    """Why a configuration cannot be tried now; None when it can."""
    state = available.get(mca)
    if state is None:
        return "no such configuration in this mode (deleted?)"
    if not state.enabled:
        return state.reason or "disabled"  # routing_store says "deleted" for an id gone since
    if not state.allowed:
        return state.reason or "circuit open"
    return None


def _consider(
    mca: str,
    available: Mapping[str, Availability],
    trace: RoutingTrace,
    candidates: list[str],
    why: str,
) -> None:
    """Add ``mca`` to the candidates, or record why it is skipped."""
    state = available.get(mca)
    connector = state.connector if state else None
    skipped = _unavailable(mca, available)
    if skipped is not None:
        trace.steps.append(f"skipped {mca}: {skipped}")
        trace.connectors.append(
            ConnectorConsidered(id=mca, connector=connector, outcome="skipped", reason=skipped)
        )
        return
    if state is not None and state.reason:
        why = f"{why} ({state.reason})"  # e.g. a half-open breaker letting a probe through
    outcome = "chosen" if not candidates else "failover"
    label = "first choice" if not candidates else f"failover {len(candidates)}"
    trace.steps.append(f"{label}: {mca}: {why}")
    trace.connectors.append(
        ConnectorConsidered(
            id=mca, connector=connector, outcome=outcome, position=len(candidates), reason=why
        )
    )
    candidates.append(mca)


def _priority(
    action: PriorityAction, available: Mapping[str, Availability], trace: RoutingTrace
) -> list[str]:
    candidates: list[str] = []
    for place, mca in enumerate(action.connectors):
        _consider(mca, available, trace, candidates, f"priority {place + 1} of {len(action.connectors)}")
    return candidates


def draws(attempt_key: str) -> tuple[int, int]:
    """Two independent numbers from the key: the split's draw, and the re-draw used only when the
    first pick is unavailable. SHA-256, not Python's ``hash`` (salted per process)."""
    digest = hashlib.sha256(attempt_key.encode()).digest()
    return int.from_bytes(digest[:8], "big"), int.from_bytes(digest[8:16], "big")


def _volume_split(
    action: VolumeSplitAction, available: Mapping[str, Availability], attempt_key: str, trace: RoutingTrace
) -> list[str]:
    first, second = draws(attempt_key)
    bucket = first % BUCKETS
    picked = _walk(action, bucket, [e.connector for e in action.split])
    weights = "/".join(str(entry.weight) for entry in action.split)
    trace.split = SplitDraw(bucket=bucket, picked=picked)
    drawn = f"volume split {weights}: bucket {bucket} -> {picked}"
    trace.steps.append(drawn)
    usable = [e.connector for e in action.split if _unavailable(e.connector, available) is None]
    usable_weight = sum(e.weight for e in action.split if e.connector in usable)
    chosen: str | None = picked
    low, high = _share(action, picked)
    why_chosen = f"bucket {bucket} is in its share {low}-{high} of {weights}"
    if picked not in usable:
        chosen = None
        if usable_weight:
            # share the unavailable pick's traffic over the others in proportion to their weights
            resplit = second % usable_weight
            chosen = _walk(action, resplit, usable)
            trace.split.resplit_bucket, trace.split.resplit_total = resplit, usable_weight
            why_chosen = f"{picked} unavailable; re-split over the available weight {usable_weight}: "
            why_chosen += f"bucket {resplit} -> {chosen}"
    # failover: the action's other configurations by weight (ties: as listed), then nothing else
    order = sorted(action.split, key=lambda entry: -entry.weight)
    candidates: list[str] = []
    if chosen is not None:
        _consider(chosen, available, trace, candidates, why_chosen)
    for entry in order:
        if entry.connector != chosen:
            _consider(entry.connector, available, trace, candidates, f"by weight ({entry.weight})")
    return candidates


def _share(action: VolumeSplitAction, mca: str) -> tuple[int, int]:
    """The buckets (first, last) a configuration's weight covers."""
    low = 0
    for entry in action.split:
        if entry.connector == mca:
            return low, low + entry.weight - 1
        low += entry.weight
    raise AssertionError(f"{mca} is not in the split")


def _walk(action: VolumeSplitAction, bucket: int, among: list[str]) -> str:
    """The configuration among ``among`` whose cumulative weight range holds ``bucket``."""
    upper = 0
    for entry in action.split:
        if entry.connector in among:
            upper += entry.weight
            if bucket < upper:
                return entry.connector
    raise AssertionError("bucket beyond the total weight")  # callers draw below the total
