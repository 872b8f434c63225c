"""The risk rule language and its evaluation, pure (no AWS): validation errors name the field, values
are normalised, Radar's order decides, lists come with their rules, the score lists its signals."""

from __future__ import annotations

from typing import Any

import pytest
from paygate.core.errors import BadRequest
from paygate.risk import evaluate, models
from paygate.risk.evaluate import ListHits, ScoreInputs
from paygate.risk.models import ListEntryRef, Rule


def _rule(action: str, conditions: list[dict[str, Any]], rule_id: str = "rule_x", **extra: Any) -> Rule:
    parsed = models.parse_rule({"name": rule_id, "action": action, "conditions": conditions, **extra})
    return Rule(**parsed.model_dump(), id=rule_id, mode="test")


def _velocity(key: str, window: str, count: str, op: str, value: int) -> dict[str, Any]:
    return {"velocity": {"key": key, "window": window, "count": count}, "op": op, "value": value}


@pytest.mark.parametrize(
    ("conditions", "field"),
    [
        ([{"field": "amount", "op": "gt", "value": 5}], "conditions[0].field"),
        (
            [
                {"field": "ip", "op": "eq", "value": "10.0.0.1"},
                {"field": "card_bin", "op": "in", "value": ["424242", "42"]},
            ],
            "conditions[1].value[1]",
        ),
        ([_velocity("ip", "week", "attempts", "gt", 5)], "conditions[0].velocity.window"),
        ([_velocity("ip", "hour", "attempts", "lt", 5)], "conditions[0].op"),
        ([_velocity("ip", "hour", "attempts", "gt", -1)], "conditions[0].value"),
        ([{"field": "email", "op": "gt", "value": "a@b.co"}], "conditions[0].op"),
        ([{"field": "email", "op": "in_cidr", "value": "10.0.0.0/8"}], "conditions[0].op"),
        ([{"field": "ip", "op": "in_cidr", "value": "10.0.0/99"}], "conditions[0].value"),
        ([{"field": "ip", "op": "eq", "value": "not-an-ip"}], "conditions[0].value"),
        ([{"field": "device", "op": "eq", "value": "x"}], "conditions[0].field"),
        ([{"field": "ip", "op": "eq", "value": "10.0.0.1", "extra": 1}], "conditions[0].extra"),
        ([{"field": "card_country", "op": "eq", "value": "IND"}], "conditions[0].value"),
        ([{"field": "currency", "op": "in", "value": []}], "conditions[0].value"),
        ([], "conditions"),
    ],
)
def test_a_bad_rule_names_its_field(conditions: list[dict[str, Any]], field: str) -> None:
    with pytest.raises(BadRequest) as raised:
        models.parse_rule({"name": "r", "action": "block", "conditions": conditions})
    assert raised.value.field == field


def test_bad_action_name_and_body() -> None:
    for body, field in [
        (
            {"name": "r", "action": "deny", "conditions": [{"field": "ip", "op": "eq", "value": "1.2.3.4"}]},
            "action",
        ),
        (
            {"name": "", "action": "block", "conditions": [{"field": "ip", "op": "eq", "value": "1.2.3.4"}]},
            "name",
        ),
        ([], "body"),
    ]:
        with pytest.raises(BadRequest) as raised:
            models.parse_rule(body)
        assert raised.value.field == field


def test_values_are_normalised() -> None:
    rule = _rule(
        "block",
        [
            {"field": "email", "op": "in", "value": ["Bad@Example.COM"]},
            {"field": "card_country", "op": "eq", "value": "us"},
            {"field": "ip", "op": "in_cidr", "value": "203.0.113.7/24"},
        ],
    )
    assert [c.value for c in rule.conditions] == [["bad@example.com"], "US", "203.0.113.0/24"]  # type: ignore[union-attr]


def test_amount_needs_a_currency_and_compares_minor_units() -> None:
    rule = _rule(
        "review",
        [
            {"field": "currency", "op": "eq", "value": "INR"},
            {"field": "amount", "op": "gte", "value": 500000},
        ],
    )
    assert rule.matches({"currency": "INR", "amount": 500000}, {}) == {"currency": "INR", "amount": 500000}
    assert rule.matches({"currency": "INR", "amount": 499999}, {}) is None
    assert rule.matches({"currency": "USD", "amount": 900000}, {}) is None


def test_a_missing_fact_never_matches_even_ne() -> None:
    rule = _rule("block", [{"field": "card_country", "op": "ne", "value": "IN"}])
    assert rule.matches({"method": "upi"}, {}) is None
    assert rule.matches({"card_country": "US"}, {}) == {"card_country": "US"}


def test_cidr_and_velocity_conditions() -> None:
    rule = _rule(
        "block",
        [
            {"field": "ip", "op": "in_cidr", "value": "203.0.113.0/24"},
            _velocity("ip", "hour", "declines", "gte", 3),
        ],
    )
    assert rule.matches({"ip": "203.0.113.9"}, {"ip.hour.declines": 3}) == {
        "ip": "203.0.113.9",
        "ip.hour.declines": 3,
    }
    assert rule.matches({"ip": "203.0.113.9"}, {"ip.hour.declines": 2}) is None
    assert rule.matches({"ip": "203.0.114.9"}, {"ip.hour.declines": 9}) is None


def test_radar_order_request_3ds_allow_block_review() -> None:
    facts = {"email": "a@b.co", "method": "card"}
    every = [{"field": "email", "op": "eq", "value": "a@b.co"}]
    review, block, allow, tds = (
        _rule("review", every, "rule_r"),
        _rule("block", every, "rule_b"),
        _rule("allow", every, "rule_a"),
        _rule("request_3ds", every, "rule_3"),
    )
    # the stored order does not matter: the action's place does
    assert evaluate.decide([review, block, allow, tds], facts, {}, ListHits()).action == "request_3ds"
    assert evaluate.decide([review, block, allow], facts, {}, ListHits()).rule.id == "rule_a"  # type: ignore[union-attr]
    assert evaluate.decide([review, block], facts, {}, ListHits()).action == "block"
    assert evaluate.decide([review], facts, {}, ListHits()).action == "review"
    assert evaluate.decide([], facts, {}, ListHits()).action == "none"
    disabled = review.model_copy(update={"enabled": False})
    assert evaluate.decide([disabled], facts, {}, ListHits()).action == "none"


def test_lists_sit_with_their_rules() -> None:
    block_entry = ListEntryRef(id="rle_b", list="block", type="card_bin", value="424242")
    allow_entry = ListEntryRef(id="rle_a", list="allow", type="email", value="a@b.co")
    block = _rule("block", [{"field": "email", "op": "eq", "value": "a@b.co"}], "rule_b")
    tds = _rule("request_3ds", [{"field": "email", "op": "eq", "value": "a@b.co"}], "rule_3")
    facts = {"email": "a@b.co"}
    # a block-list match blocks
    decided = evaluate.decide([], facts, {}, ListHits(block=block_entry))
    assert (decided.action, decided.list_entry) == ("block", block_entry)
    # an allow-list match passes the block list and the block rules...
    decided = evaluate.decide([block], facts, {}, ListHits(allow=allow_entry, block=block_entry))
    assert (decided.action, decided.list_entry, decided.rule) == ("allow", allow_entry, None)
    # ...but not a request for 3D Secure, decided first
    assert evaluate.decide([block, tds], facts, {}, ListHits(allow=allow_entry)).action == "request_3ds"


def test_default_rules_and_their_thresholds() -> None:
    assert {r.id for r in evaluate.default_rules("test", {}) if not r.enabled} == {"rule_default_card_minute"}
    rules = evaluate.default_rules("test", {"rule_default_card_minute": True})  # turned on by the merchant
    assert all(rule.default for rule in rules)
    card = {"method": "card", "score": 10}
    assert evaluate.decide(rules, card, {"card_fingerprint.minute.attempts": 5}, ListHits()).action == "none"
    decided = evaluate.decide(rules, card, {"card_fingerprint.minute.attempts": 6}, ListHits())
    assert (decided.action, decided.rule.id) == ("block", "rule_default_card_minute")  # type: ignore[union-attr]
    assert evaluate.decide(rules, {**card, "score": 65}, {}, ListHits()).action == "request_3ds"
    assert evaluate.decide(rules, {**card, "score": 75}, {}, ListHits()).action == "review"
    assert evaluate.decide(rules, card, {"ip.hour.declines": 20}, ListHits()).action == "block"
    off = evaluate.default_rules("test", {"rule_default_card_minute": False})
    assert evaluate.decide(off, card, {"card_fingerprint.minute.attempts": 60}, ListHits()).action == "none"


def test_score_lists_named_signals_with_points_and_details() -> None:
    near = ListEntryRef(id="rle_n", list="block", type="email", value="x@y.co")
    total, signals = evaluate.score(
        ScoreInputs(
            card_hour_attempts=5,
            ip_hour_attempts=12,
            card_declines_in_row=2,
            ip_declines_in_row=1,
            card_country="US",
            ip_country="IN",
            amount=50000,
            currency="INR",
            usual_amount=10000,
            customer_age_days=90,
            card_new_for_customer=True,
            near_miss=near,
        )
    )
    named = {signal.name: signal.points for signal in signals}
    assert named == {
        "card_velocity": 10,
        "ip_velocity": 4,
        "card_declines_in_row": 14,
        "ip_declines_in_row": 3,
        "country_mismatch": 15,
        "amount_above_usual": 15,
        "new_card_old_customer": 10,
        "block_list_near_miss": 20,
    }
    assert total == 91 and all(signal.detail for signal in signals)
    assert [s.points for s in signals] == sorted((s.points for s in signals), reverse=True)
    assert (
        evaluate.score(
            ScoreInputs(
                card_hour_attempts=99,
                card_declines_in_row=99,
                near_miss=near,
                card_country="US",
                ip_country="IN",
                ip_hour_attempts=99,
                ip_declines_in_row=99,
            )
        )[0]
        == 100
    )
    assert evaluate.score(ScoreInputs()) == (0, [])
    assert models.level(64) == "normal" and models.level(65) == "elevated" and models.level(75) == "highest"


def test_list_entries_are_validated_and_normalised() -> None:
    assert (
        models.parse_entry({"list": "block", "type": "email", "value": "Bad@Example.com"}).value
        == "bad@example.com"
    )
    assert (
        models.parse_entry({"list": "block", "type": "ip", "value": "203.0.113.9/24"}).value
        == "203.0.113.0/24"
    )
    assert (
        models.parse_entry({"list": "block", "type": "ip", "value": "203.0.113.9/32"}).value == "203.0.113.9"
    )
    assert models.parse_entry({"list": "allow", "type": "country", "value": "in"}).value == "IN"
    for body, field in [
        ({"list": "block", "type": "card_bin", "value": "4242"}, "value"),
        ({"list": "block", "type": "country", "value": "IND"}, "value"),
        ({"list": "grey", "type": "ip", "value": "1.2.3.4"}, "list"),
        ({"list": "block", "type": "phone", "value": "1"}, "type"),
        ({"list": "block", "type": "ip", "value": "1.2.3.4/40"}, "value"),
        ({"list": "block", "type": "email", "value": "nope"}, "value"),
        ({"list": "block", "type": "email"}, "value"),
    ]:
        with pytest.raises(BadRequest) as raised:
            models.parse_entry(body)
        assert raised.value.field == field, body
