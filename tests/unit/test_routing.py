"""Routing: which connector configurations a payment tries, in what order, and the trace saying why.

Pure functions: no AWS, no clock. The rule language and the trace: docs/connectors.md, "Routing".
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paygate.connectors.routing import Availability, PaymentFacts, route
from paygate.connectors.routing_models import (
    MAX_CONNECTORS_PER_ACTION,
    MAX_RULES,
    SIMULATOR,
    Network,
    RoutingConfig,
    RoutingConfigIn,
    RoutingTrace,
    check_references,
    parse_config,
)
from paygate.core.errors import BadRequest
from paygate.payments import methods

UP = Availability(connector="stripe")
CARD_VISA_INR = PaymentFacts(method="card", currency="INR", amount=20_000, network="visa")


def _priority(*ids: str) -> dict[str, Any]:
    return {"type": "priority", "connectors": list(ids)}


def _split(**weights: int) -> dict[str, Any]:
    return {"type": "volume_split", "split": [{"connector": k, "weight": w} for k, w in weights.items()]}


def _config(*rules: dict[str, Any], default: dict[str, Any] | None = None) -> RoutingConfigIn:
    return parse_config({"rules": list(rules), **({"default": default} if default else {})})


def _rule(action: dict[str, Any], name: str | None = None, **conditions: Any) -> dict[str, Any]:
    return {"name": name, "conditions": conditions, "action": action}


def _all_up(*ids: str) -> dict[str, Availability]:
    return dict.fromkeys(ids, UP)


# --- rules: each condition, ranges, first match wins ---


@pytest.mark.parametrize(
    ("conditions", "facts", "matches"),
    [
        ({"methods": ["card"]}, CARD_VISA_INR, True),
        ({"methods": ["upi", "wallet"]}, CARD_VISA_INR, False),
        ({"methods": ["upi", "wallet"]}, PaymentFacts("upi", "INR", 20_000), True),
        ({"networks": ["visa", "rupay"]}, CARD_VISA_INR, True),
        ({"networks": ["mastercard"]}, CARD_VISA_INR, False),
        ({"networks": ["visa"]}, PaymentFacts("upi", "INR", 20_000), False),  # no network: no match
        ({"currencies": ["INR"]}, CARD_VISA_INR, True),
        ({"currencies": ["USD", "EUR"]}, CARD_VISA_INR, False),
        ({}, CARD_VISA_INR, True),
    ],
)
def test_each_condition_holds_or_not(conditions: dict[str, Any], facts: PaymentFacts, matches: bool) -> None:
    # Given a rule on one condition before a default
    config = _config(_rule(_priority("mca_rule"), **conditions), default=_priority("mca_default"))
    # When a payment is routed
    decision = route(config, facts, _all_up("mca_rule", "mca_default"), "pay_1")
    # Then the rule chooses only when its condition holds
    assert decision.candidates == (["mca_rule"] if matches else ["mca_default"])
    assert decision.trace.source == ("rule" if matches else "default")


@pytest.mark.parametrize(
    ("amount", "matches"),
    [(9_999, False), (10_000, True), (20_000, True), (499_999, True), (500_000, False)],
)
def test_an_amount_range_includes_its_min_and_excludes_its_max(amount: int, matches: bool) -> None:
    config = _config(
        _rule(_priority("mca_a"), currencies=["INR"], amount={"min": 10_000, "max": 500_000}),
        default=_priority("mca_b"),
    )
    facts = PaymentFacts("card", "INR", amount, "visa")
    assert route(config, facts, _all_up("mca_a", "mca_b"), "k").candidates == (
        ["mca_a"] if matches else ["mca_b"]
    )


def test_open_ended_ranges() -> None:
    at_least = _config(_rule(_priority("mca_a"), currencies=["JPY"], amount={"min": 1000}))
    below = _config(_rule(_priority("mca_a"), currencies=["JPY"], amount={"max": 1000}))
    up = _all_up("mca_a")
    assert route(at_least, PaymentFacts("card", "JPY", 1000, "visa"), up, "k").candidates == ["mca_a"]
    assert route(at_least, PaymentFacts("card", "JPY", 999, "visa"), up, "k").candidates == [SIMULATOR]
    assert route(below, PaymentFacts("card", "JPY", 999, "visa"), up, "k").candidates == ["mca_a"]
    assert route(below, PaymentFacts("card", "JPY", 1000, "visa"), up, "k").candidates == [SIMULATOR]
    assert at_least.rules[0].conditions.describe() == "JPY, from 1000"
    assert below.rules[0].conditions.describe() == "JPY, below 1000"


def test_the_first_matching_rule_wins_and_the_trace_says_why_the_earlier_ones_did_not() -> None:
    # Given three rules, the last two of which match a visa INR card payment of 200.00
    config = _config(
        _rule(_priority("mca_upi"), name="UPI to Razorpay", methods=["upi"]),
        _rule(
            _priority("mca_visa", "mca_any"),
            name="Visa INR mid-size",
            methods=["card"],
            networks=["visa"],
            currencies=["INR"],
            amount={"min": 10_000, "max": 500_000},
        ),
        _rule(_priority("mca_any"), name="everything else"),
    )
    # When it is routed
    decision = route(config, CARD_VISA_INR, _all_up("mca_upi", "mca_visa", "mca_any"), "pay_1")
    # Then rule 1 decides, and the trace names it and what rule 0 lacked
    assert decision.candidates == ["mca_visa", "mca_any"]
    trace = decision.trace
    assert (trace.rule.index, trace.rule.name) == (1, "Visa INR mid-size")  # type: ignore[union-attr]
    assert trace.steps[0] == "rule 1 (Visa INR mid-size) matched: card, visa, INR, 100.00-5000.00"
    assert [(s.index, s.reason) for s in trace.rules_skipped] == [(0, "method card is not upi")]
    assert trace.action == "priority mca_visa > mca_any"
    assert [(c.id, c.outcome, c.position) for c in trace.connectors] == [
        ("mca_visa", "chosen", 0),
        ("mca_any", "failover", 1),
    ]


@pytest.mark.parametrize(
    ("conditions", "reason"),
    [
        ({"networks": ["amex"]}, "network visa is not amex"),
        ({"currencies": ["USD", "EUR"]}, "currency INR is not USD/EUR"),
        ({"currencies": ["INR"], "amount": {"min": 50_000}}, "amount 200.00 INR is not from 500.00"),
        ({"currencies": ["KWD"], "amount": {"max": 1500}}, "currency INR is not KWD"),
    ],
)
def test_a_rule_not_matched_says_which_condition_failed(conditions: dict[str, Any], reason: str) -> None:
    config = _config(_rule(_priority("mca_a"), **conditions))
    trace = route(config, CARD_VISA_INR, _all_up("mca_a"), "k").trace
    assert [s.reason for s in trace.rules_skipped] == [reason]


def test_amounts_are_described_in_the_currency_s_own_exponent() -> None:
    kwd = _config(_rule(_priority("mca_a"), currencies=["KWD"], amount={"min": 1500, "max": 2_000_250}))
    assert kwd.rules[0].conditions.describe() == "KWD, 1.500-2000.250"
    trace = route(kwd, PaymentFacts("card", "KWD", 100, "visa"), _all_up("mca_a"), "k").trace
    assert trace.rules_skipped[0].reason == "amount 0.100 KWD is not 1.500-2000.250"


# --- the default and the simulator ---


def test_no_rule_matched_uses_the_default() -> None:
    config = _config(_rule(_priority("mca_upi"), methods=["upi"]), default=_priority("mca_d1", "mca_d2"))
    decision = route(config, CARD_VISA_INR, _all_up("mca_upi", "mca_d1", "mca_d2"), "k")
    assert decision.candidates == ["mca_d1", "mca_d2"]
    assert (decision.trace.source, decision.trace.rule) == ("default", None)
    assert decision.trace.steps[0] == "no rule matched: the default action"


@pytest.mark.parametrize(
    ("config", "why"),
    [
        (None, "no routing configuration: the built-in simulator"),
        (RoutingConfigIn(), "no rules; no default: the built-in simulator"),
        (
            _config(_rule(_priority("mca_upi"), methods=["upi"])),
            "no rule matched; no default: the built-in simulator",
        ),
    ],
)
def test_without_a_default_the_simulator_routes_as_before(config: RoutingConfigIn | None, why: str) -> None:
    decision = route(config, CARD_VISA_INR, {}, "k")
    assert decision.candidates == [SIMULATOR]
    assert decision.trace.source == "simulator"
    assert decision.trace.steps[-1] == why


# --- disabled, breaker open, unknown configurations ---


def test_disabled_open_and_unknown_configurations_are_skipped_with_their_reason() -> None:
    # Given a priority list whose first three cannot be used
    config = _config(_rule(_priority("mca_off", "mca_open", "mca_gone", "mca_half", "mca_ok")))
    available = {
        "mca_off": Availability(enabled=False, connector="stripe"),
        "mca_open": Availability(allowed=False, reason="circuit open since 2025-03-01T10:00:00Z"),
        "mca_half": Availability(allowed=True, reason="circuit half-open: probe", connector="razorpay"),
        "mca_ok": Availability(connector="razorpay"),
    }
    # When a payment is routed
    decision = route(config, CARD_VISA_INR, available, "k", config_version=4)
    # Then the usable ones keep their order and each skip says why
    assert decision.candidates == ["mca_half", "mca_ok"]
    assert decision.trace.steps[1:] == [
        "skipped mca_off: disabled",
        "skipped mca_open: circuit open since 2025-03-01T10:00:00Z",
        "skipped mca_gone: no such configuration in this mode (deleted?)",
        "first choice: mca_half: priority 4 of 5 (circuit half-open: probe)",
        "failover 1: mca_ok: priority 5 of 5",
    ]
    assert [(c.id, c.connector, c.outcome) for c in decision.trace.connectors] == [
        ("mca_off", "stripe", "skipped"),
        ("mca_open", None, "skipped"),
        ("mca_gone", None, "skipped"),
        ("mca_half", "razorpay", "chosen"),
        ("mca_ok", "razorpay", "failover"),
    ]
    assert decision.trace.config_version == 4


def test_nothing_available_means_no_candidates_never_another_connector() -> None:
    config = _config(_rule(_split(mca_a=70, mca_b=30)), default=_priority("mca_c"))
    available = {"mca_a": Availability(enabled=False), "mca_b": Availability(allowed=False), "mca_c": UP}
    decision = route(config, CARD_VISA_INR, available, "k")
    assert decision.candidates == []
    assert (
        decision.trace.steps[-1]
        == "no configuration of the action is available: the payment cannot be routed"
    )


# --- volume split ---


def test_a_split_choice_fails_over_to_the_others_by_weight_then_nothing_else() -> None:
    config = _config(_rule(_split(mca_a=20, mca_b=50, mca_c=30)))
    up = _all_up("mca_a", "mca_b", "mca_c", "mca_unlisted")
    for key in (f"pay_{n}" for n in range(200)):
        decision = route(config, CARD_VISA_INR, up, key)
        first, *rest = decision.candidates
        assert rest == [mca for mca in ("mca_b", "mca_c", "mca_a") if mca != first]
        assert decision.trace.split is not None and decision.trace.split.picked == first
        assert (
            decision.trace.steps[1]
            == f"volume split 20/50/30: bucket {decision.trace.split.bucket} -> {first}"
        )


def test_the_split_draw_follows_the_cumulative_weights() -> None:
    config = _config(_rule(_split(mca_a=20, mca_b=50, mca_c=30)))
    up = _all_up("mca_a", "mca_b", "mca_c")
    for key in (f"pay_{n}" for n in range(300)):
        trace = route(config, CARD_VISA_INR, up, key).trace
        bucket = trace.split.bucket  # type: ignore[union-attr]
        picked, share = (
            ("mca_a", "0-19") if bucket < 20 else ("mca_b", "20-69") if bucket < 70 else ("mca_c", "70-99")
        )
        assert trace.split.picked == picked  # type: ignore[union-attr]
        assert trace.connectors[0].reason == f"bucket {bucket} is in its share {share} of 20/50/30"


def test_a_70_30_split_holds_its_shares_over_10000_keys() -> None:
    config = _config(_rule(_split(mca_a=70, mca_b=30)))
    up = _all_up("mca_a", "mca_b")
    firsts = Counter(route(config, CARD_VISA_INR, up, f"pay_{n:06d}").candidates[0] for n in range(10_000))
    assert abs(firsts["mca_a"] / 10_000 - 0.70) <= 0.02
    assert abs(firsts["mca_b"] / 10_000 - 0.30) <= 0.02


def test_an_unavailable_pick_is_re_split_over_the_others_by_their_weights() -> None:
    # Given 50/30/20 with the 50 share's breaker open
    config = _config(_rule(_split(mca_a=50, mca_b=30, mca_c=20)))
    available = {"mca_a": Availability(allowed=False, reason="circuit open"), "mca_b": UP, "mca_c": UP}
    # When many payments are routed
    decisions = [route(config, CARD_VISA_INR, available, f"pay_{n}") for n in range(6000)]
    # Then its traffic goes 30:20 to the others (60/40 overall), each skip and re-draw in the trace
    firsts = Counter(d.candidates[0] for d in decisions)
    assert set(firsts) == {"mca_b", "mca_c"}
    assert abs(firsts["mca_b"] / 6000 - 0.60) <= 0.03
    resplit = next(d for d in decisions if d.trace.split.picked == "mca_a")  # type: ignore[union-attr]
    assert resplit.trace.split.resplit_total == 50  # type: ignore[union-attr]
    assert "skipped mca_a: circuit open" in resplit.trace.steps
    assert f"re-split over the available weight 50: bucket {resplit.trace.split.resplit_bucket}" in (  # type: ignore[union-attr]
        resplit.trace.connectors[0].reason
    )
    # and a payment whose pick was up goes where the healthy split sent it
    kept = next(d for d in decisions if d.trace.split.picked == "mca_c")  # type: ignore[union-attr]
    assert kept.candidates == ["mca_c", "mca_b"] and kept.trace.split.resplit_bucket is None  # type: ignore[union-attr]


def test_a_zero_weight_is_a_failover_only() -> None:
    config = _config(_rule(_split(mca_a=100, mca_spare=0)))
    up = _all_up("mca_a", "mca_spare")
    assert {tuple(route(config, CARD_VISA_INR, up, f"k{n}").candidates) for n in range(100)} == {
        ("mca_a", "mca_spare")
    }
    down = {"mca_a": Availability(enabled=False), "mca_spare": UP}
    assert route(config, CARD_VISA_INR, down, "k").candidates == ["mca_spare"]


# --- properties ---

IDS = [f"mca_{c}" for c in "abcdefghijkl"]
ids_st = st.lists(st.sampled_from(IDS), min_size=1, max_size=MAX_CONNECTORS_PER_ACTION, unique=True)


@st.composite
def actions(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(ids_st)
    if draw(st.booleans()):
        return _priority(*ids)
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=len(ids) - 1, max_size=len(ids) - 1)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    return {
        "type": "volume_split",
        "split": [{"connector": i, "weight": w} for i, w in zip(ids, weights, strict=True)],
    }


conditions_st = st.fixed_dictionaries(
    {},
    optional={
        "methods": st.lists(st.sampled_from(["card", "upi", "wallet"]), min_size=1, unique=True),
        "currencies": st.lists(st.sampled_from(["INR", "USD", "JPY"]), min_size=1, max_size=1),
    },
)
states = st.builds(
    Availability,
    enabled=st.booleans(),
    allowed=st.booleans(),
    reason=st.one_of(st.none(), st.just("circuit open since 2025-01-01T00:00:00Z")),
)
facts_st = st.builds(
    PaymentFacts,
    method=st.sampled_from(["card", "upi", "wallet"]),
    currency=st.sampled_from(["INR", "USD", "JPY"]),
    amount=st.integers(1, 10**9),
    network=st.sampled_from([None, "visa", "mastercard"]),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.lists(
        st.builds(lambda a, c: {"conditions": c, "action": a}, actions(), conditions_st), max_size=4
    ),
    default=st.one_of(st.none(), actions()),
    available=st.dictionaries(st.sampled_from(IDS), states),
    facts=facts_st,
    key=st.text(max_size=30),
)
def test_candidates_are_the_action_s_usable_ids_once_each_and_the_same_for_one_key(
    rules: list[dict[str, Any]],
    default: dict[str, Any] | None,
    available: dict[str, Availability],
    facts: PaymentFacts,
    key: str,
) -> None:
    config = _config(*rules, default=default)
    decision = route(config, facts, available, key)
    assert len(decision.candidates) == len(set(decision.candidates))
    action = config.rules[decision.trace.rule.index].action if decision.trace.rule else config.default
    if action is None:
        assert decision.candidates == [SIMULATOR]
    else:
        usable = {
            mca
            for mca in action.connector_ids()
            if mca in available and available[mca].enabled and available[mca].allowed
        }
        assert set(decision.candidates) == usable  # a subset of the action, and every usable one once
        if action.type == "priority":
            assert decision.candidates == [mca for mca in action.connectors if mca in usable]
    assert route(config, facts, available, key) == decision  # deterministic for one key
    assert RoutingTrace.model_validate(json.loads(json.dumps(decision.trace_json()))) == decision.trace


def test_a_stored_configuration_s_version_goes_into_the_trace() -> None:
    stored = RoutingConfig(
        rules=[], default=None, merchant_id="mer_1", mode="live", version=7, updated_at="2025-01-01T00:00:00Z"
    )
    assert route(stored, CARD_VISA_INR, {}, "k").trace.config_version == 7


def test_the_trace_is_json_and_reads_back() -> None:
    config = _config(_rule(_split(mca_a=70, mca_b=30), name="split INR", currencies=["INR"]))
    decision = route(config, CARD_VISA_INR, _all_up("mca_a", "mca_b"), "pay_1", config_version=2)
    stored = json.dumps(decision.trace_json())
    assert RoutingTrace.model_validate_json(stored) == decision.trace
    assert json.loads(stored)["rule"] == {"index": 0, "name": "split INR", "description": "INR"}


# --- validation: errors name the field ---


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rules": [_rule(_split(mca_a=70, mca_b=130))] * 3}, "rules[0].action.split[1].weight"),
        (
            {"rules": [_rule(_priority("mca_a"))] * 2 + [_rule(_split(mca_a=70, mca_b=30, mca_c=-1))]},
            "rules[2].action.split[2].weight",
        ),
        ({"rules": [_rule(_split(mca_a=70, mca_b=20))]}, "rules[0].action.split"),
        (
            {"rules": [_rule({"type": "volume_split", "split": [{"connector": "mca_a", "weight": "70"}]})]},
            "rules[0].action.split[0].weight",
        ),
        (
            {
                "rules": [
                    _rule(
                        _split(mca_a=70, mca_b=30)
                        | {
                            "split": [
                                {"connector": "mca_a", "weight": 70},
                                {"connector": "mca_a", "weight": 30},
                            ]
                        }
                    )
                ]
            },
            "rules[0].action.split[1].connector",
        ),
        ({"rules": [_rule(_priority("mca_a", "mca_b", "mca_a"))]}, "rules[0].action.connectors[2]"),
        ({"rules": [_rule(_priority("stripe"))]}, "rules[0].action.connectors[0]"),
        ({"rules": [_rule(_priority())]}, "rules[0].action.connectors"),
        ({"rules": [_rule(_priority(*IDS[:11]))]}, "rules[0].action.connectors"),
        ({"rules": [_rule({"type": "round_robin"})]}, "rules[0].action"),
        ({"rules": [_rule(_priority("mca_a"), methods=["cash"])]}, "rules[0].conditions.methods[0]"),
        (
            {"rules": [_rule(_priority("mca_a"), networks=["visa", "diners"])]},
            "rules[0].conditions.networks[1]",
        ),
        (
            {"rules": [_rule(_priority("mca_a"), networks=["visa", "visa"])]},
            "rules[0].conditions.networks[1]",
        ),
        (
            {"rules": [_rule(_priority("mca_a"), currencies=["INR", "inr"])]},
            "rules[0].conditions.currencies[1]",
        ),
        (
            {"rules": [_rule(_priority("mca_a"), methods=["upi"], networks=["visa"])]},
            "rules[0].conditions.networks",
        ),
        ({"rules": [_rule(_priority("mca_a"), amount={"min": 100})]}, "rules[0].conditions.amount"),
        (
            {"rules": [_rule(_priority("mca_a"), currencies=["INR"], amount={"min": 500, "max": 500})]},
            "rules[0].conditions.amount",
        ),
        (
            {"rules": [_rule(_priority("mca_a"), currencies=["INR"], amount={"min": -1})]},
            "rules[0].conditions.amount.min",
        ),
        ({"rules": [_rule(_priority("mca_a"), colour="red")]}, "rules[0].conditions.colour"),
        ({"rules": [_rule(_priority("mca_a"), name="x" * 65)]}, "rules[0].name"),
        ({"rules": [_rule(_priority("mca_a"))] * (MAX_RULES + 1)}, "rules"),
        ({"default": _split(mca_a=99)}, "default.split"),
        ({"default": _priority("mca_a"), "fallback": "simulator"}, "fallback"),
    ],
)
def test_validation_errors_name_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_config(data)
    assert refused.value.field == field, refused.value.description


def test_a_body_that_is_not_an_object_is_named_body() -> None:
    with pytest.raises(BadRequest) as refused:
        parse_config([])  # type: ignore[arg-type]
    assert refused.value.field == "body"


def test_a_payment_without_a_network_says_so() -> None:
    config = _config(_rule(_priority("mca_a"), networks=["visa"]))
    trace = route(config, PaymentFacts("upi", "INR", 20_000), _all_up("mca_a"), "k").trace
    assert trace.rules_skipped[0].reason == "no card network (the rule wants visa)"


def test_a_configuration_names_only_the_merchant_s_own_configurations() -> None:
    config = _config(
        _rule(_priority("mca_a")), _rule(_split(mca_a=60, mca_other=40)), default=_priority("mca_a")
    )
    with pytest.raises(BadRequest) as refused:
        check_references(config, {"mca_a": object()})
    assert refused.value.field == "rules[1].action.split[1].connector"
    check_references(config, {"mca_a": object(), "mca_other": object()})


def test_rule_networks_are_the_networks_payments_recognise() -> None:
    # a rule on a network card_network() never answers would be dead: the two lists must agree
    assert set(Network.__args__) == {name for name, _ in methods._NETWORKS}
