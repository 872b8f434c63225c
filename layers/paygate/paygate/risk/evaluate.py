"""The pure part of an assessment: the score from its signals, and the decision from the lists and
the rules in Radar's order. No I/O: the service reads the counters, lists and rules and passes them.
The signals, their weights and the order: docs/risk.md."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from paygate.risk.models import (
    ACTION_ORDER,
    Decision,
    ListEntryRef,
    Rule,
    RuleIn,
    RuleRef,
    Signal,
    parse_rule,
)

# The gateway's rules every merchant gets, read only (a merchant may turn them off or on per mode).
_DEFAULTS: dict[str, dict[str, Any]] = {
    # Off until the merchant turns it on (PATCH enabled: true): how often one card may be tried is the
    # merchant's call (a subscription retries, a ticket sale bursts), and on by default it would block
    # every integrator's sixth test payment with 4242... in a minute (docs/risk.md).
    "rule_default_card_minute": {
        "name": "Block a card tried more than 5 times in a minute",
        "action": "block",
        "enabled": False,
        "conditions": [
            {
                "velocity": {"key": "card_fingerprint", "window": "minute", "count": "attempts"},
                "op": "gt",
                "value": 5,
            }
        ],
    },
    "rule_default_ip_declines": {
        "name": "Block an IP address with 20 or more declines in an hour",
        "action": "block",
        "conditions": [
            {"velocity": {"key": "ip", "window": "hour", "count": "declines"}, "op": "gte", "value": 20}
        ],
    },
    "rule_default_3ds_elevated": {
        "name": "Request 3D Secure when the risk score is elevated (65 or more)",
        "action": "request_3ds",
        "conditions": [
            {"field": "method", "op": "eq", "value": "card"},
            {"field": "score", "op": "gte", "value": 65},
            {"field": "score", "op": "lt", "value": 75},
        ],
    },
    "rule_default_review_highest": {
        "name": "Review when the risk score is the highest (75 or more)",
        "action": "review",
        "conditions": [{"field": "score", "op": "gte", "value": 75}],
    },
}
DEFAULT_RULES: dict[str, RuleIn] = {rule_id: parse_rule(body) for rule_id, body in _DEFAULTS.items()}


def default_rules(mode: str, disabled: Mapping[str, bool]) -> list[Rule]:
    """The default rules as a merchant sees them in ``mode``; ``disabled``: rule id -> enabled override."""
    return [
        Rule(**rule.model_dump(), id=rule_id, mode=mode, default=True).model_copy(  # type: ignore[arg-type]
            update={"enabled": disabled.get(rule_id, rule.enabled)}
        )
        for rule_id, rule in DEFAULT_RULES.items()
    ]


@dataclass(frozen=True)
class ListHits:
    """The merchant's list entries a payment's facts matched (at most one per list)."""

    allow: ListEntryRef | None = None
    block: ListEntryRef | None = None
    near_miss: ListEntryRef | None = None


@dataclass(frozen=True)
class Decided:
    action: Decision
    rule: RuleRef | None = None
    list_entry: ListEntryRef | None = None


def decide(
    rules: Sequence[Rule], facts: Mapping[str, Any], counters: Mapping[str, int], lists: ListHits
) -> Decided:
    """Radar's order: request_3ds, allow, block, review; the first rule (or list entry) that matches in
    that order decides. The allow list sits with the allow rules and the block list with the block rules,
    ahead of them: an allow-list entry lets a payment pass the block list, the block rules and the review
    rules, but not a request for 3D Secure (docs/risk.md). Disabled rules never match."""
    for action in ACTION_ORDER:
        if action == "allow" and lists.allow is not None:
            return Decided("allow", list_entry=lists.allow)
        if action == "block" and lists.block is not None:
            return Decided("block", list_entry=lists.block)
        for rule in rules:
            if rule.enabled and rule.action == action and rule.matches(facts, counters) is not None:
                return Decided(action, rule=RuleRef(id=rule.id, name=rule.name, default=rule.default))
    return Decided("none")


# --- the score ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInputs:
    """What the signals read; None: not known for this payment (that signal scores 0)."""

    card_hour_attempts: int | None = None
    ip_hour_attempts: int | None = None
    card_declines_in_row: int | None = None
    ip_declines_in_row: int | None = None
    card_country: str | None = None
    ip_country: str | None = None
    amount: int = 0
    currency: str = ""
    usual_amount: int | None = None  # the merchant's running mean in this currency (None: too few payments)
    customer_age_days: int | None = None  # the customer seen first this many days ago...
    card_new_for_customer: bool = False  # ...and this card never seen with them
    near_miss: ListEntryRef | None = None


# (name, the most points it gives); the total is capped at 100
WEIGHTS: dict[str, int] = {
    "card_velocity": 25,
    "ip_velocity": 20,
    "card_declines_in_row": 20,
    "ip_declines_in_row": 15,
    "country_mismatch": 15,
    "amount_above_usual": 15,
    "new_card_old_customer": 10,
    "block_list_near_miss": 20,
}
CARD_FREE_ATTEMPTS = 3  # per hour: a human retrying a card is not a signal
IP_FREE_ATTEMPTS = 10
OLD_CUSTOMER_DAYS = 30


def score(inputs: ScoreInputs) -> tuple[int, list[Signal]]:
    """0-100 and the signals that gave points (name, points, detail), highest first."""
    signals: list[Signal] = []

    def add(name: str, points: int, detail: str) -> None:
        points = min(points, WEIGHTS[name])
        if points > 0:
            signals.append(Signal(name=name, points=points, detail=detail))

    if inputs.card_hour_attempts is not None and inputs.card_hour_attempts > CARD_FREE_ATTEMPTS:
        extra = inputs.card_hour_attempts - CARD_FREE_ATTEMPTS
        add("card_velocity", 5 * extra, f"{inputs.card_hour_attempts} attempts with this card in the hour")
    if inputs.ip_hour_attempts is not None and inputs.ip_hour_attempts > IP_FREE_ATTEMPTS:
        extra = inputs.ip_hour_attempts - IP_FREE_ATTEMPTS
        add("ip_velocity", 2 * extra, f"{inputs.ip_hour_attempts} attempts from this IP address in the hour")
    if inputs.card_declines_in_row:
        n = inputs.card_declines_in_row
        add("card_declines_in_row", 7 * n, f"the card's last {n} payments today were declined")
    if inputs.ip_declines_in_row:
        n = inputs.ip_declines_in_row
        add("ip_declines_in_row", 3 * n, f"the IP address's last {n} payments today were declined")
    if inputs.card_country and inputs.ip_country and inputs.card_country != inputs.ip_country:
        add(
            "country_mismatch",
            15,
            f"IP address in {inputs.ip_country}, card issued in {inputs.card_country}",
        )
    if inputs.usual_amount and inputs.amount >= 3 * inputs.usual_amount:
        times = inputs.amount // inputs.usual_amount
        add(
            "amount_above_usual",
            15 if times >= 5 else 8,
            f"{times}x the merchant's usual {inputs.currency} payment",
        )
    if (
        inputs.card_new_for_customer
        and inputs.customer_age_days is not None
        and inputs.customer_age_days >= OLD_CUSTOMER_DAYS
    ):
        add(
            "new_card_old_customer", 10, f"a card never used by a customer of {inputs.customer_age_days} days"
        )
    if inputs.near_miss is not None:
        add(
            "block_list_near_miss",
            20,
            f"the {inputs.near_miss.type} is close to block-list entry {inputs.near_miss.id}",
        )
    signals.sort(key=lambda signal: -signal.points)
    return min(sum(signal.points for signal in signals), 100), signals
