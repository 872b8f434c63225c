"""paygate.risk.service on moto (the risk table from its stack's template): assess counts each attempt
in atomic counters, decides with the lists and rules, keeps the assessment once per payment;
record_outcome counts declines once; the dry run reads the assessments back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from paygate.core import clock
from paygate.merchants.models import Principal
from paygate.risk import models, service, store
from paygate.risk.models import DryRunIn
from paygate.risk.service import RiskFacts

from tests.unit.moto_world import tables_world

START = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
TEST = Principal(merchant_id="mer_a", mode="test", key_id="key_a")
LIVE = Principal(merchant_id="mer_a", mode="live", key_id="key_l")
OTHER = Principal(merchant_id="mer_b", mode="test", key_id="key_b")
_seq = iter(range(10**6))


@pytest.fixture
def world() -> Iterator[None]:
    clock.set_clock(lambda: START)
    try:
        with tables_world({"RISK_TABLE": "RiskTable"}):
            yield
    finally:
        clock.set_clock(None)


def _facts(principal: Principal = TEST, **given: Any) -> RiskFacts:
    base: dict[str, Any] = {"amount": 1000, "currency": "INR", "method": "card"}
    return RiskFacts(
        merchant_id=principal.merchant_id,
        mode=principal.mode,
        payment_id=f"pay_{next(_seq):014d}",
        **{**base, **given},
    )


def _rule(
    principal: Principal, action: str, conditions: list[dict[str, Any]], name: str = "r"
) -> models.Rule:
    return service.create_rule(
        principal, models.parse_rule({"name": name, "action": action, "conditions": conditions})
    )


def _turn_on_card_minute(principal: Principal | None = None) -> None:
    """The default card velocity rule is off until the merchant turns it on (docs/risk.md)."""
    service.update_rule(principal or TEST, "rule_default_card_minute", {"enabled": True})


def _entry(principal: Principal, list_: str, type_: str, value: str) -> models.ListEntry:
    return service.create_entry(principal, models.parse_entry({"list": list_, "type": type_, "value": value}))


def test_the_sixth_attempt_of_a_card_in_a_minute_is_blocked_across_customers(world: None) -> None:
    _turn_on_card_minute()
    actions = [
        service.assess(_facts(card_fingerprint="fp_card_0001", customer=f"cus_{i % 2}")).action
        for i in range(6)
    ]
    assert actions == ["none"] * 5 + ["block"]
    last = service.assess(_facts(card_fingerprint="fp_card_0001"))
    assert last.rule is not None and last.rule.id == "rule_default_card_minute" and last.rule.default
    # another card of the same customers is not affected
    assert service.assess(_facts(card_fingerprint="fp_card_0002", customer="cus_0")).action == "none"


def test_a_counter_in_a_new_minute_starts_at_zero(world: None) -> None:
    for _ in range(5):
        service.assess(_facts(card_fingerprint="fp_card_0001"))
    clock.set_clock(lambda: START + timedelta(minutes=1))
    assert service.assess(_facts(card_fingerprint="fp_card_0001")).action == "none"
    found = store.last_assessments("mer_a", "test", 1)[0]["counters"]
    assert found["card_fingerprint.minute.attempts"] == 1
    assert found["card_fingerprint.hour.attempts"] == 6


def test_counters_are_per_merchant_and_mode(world: None) -> None:
    for _ in range(6):
        service.assess(_facts(card_fingerprint="fp_card_0001"))
    assert service.assess(_facts(LIVE, card_fingerprint="fp_card_0001")).action == "none"
    assert service.assess(_facts(OTHER, card_fingerprint="fp_card_0001")).action == "none"


def test_ten_threads_at_once_count_exactly_ten_and_block_exactly_the_five_over(world: None) -> None:
    _turn_on_card_minute()
    barrier = threading.Barrier(10)
    answers: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        facts = _facts(card_fingerprint="fp_card_race")
        barrier.wait()
        action = service.assess(facts).action
        with lock:
            answers.append(action)

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["block"] * 5 + ["none"] * 5
    counted = store.count("mer_a", "test", "card_fingerprint", "fp_card_race", START, attempt=True)
    assert counted["minute.attempts"] == 11  # the ten, and this one


def test_assess_is_idempotent_per_payment(world: None) -> None:
    facts = _facts(card_fingerprint="fp_card_0001", ip="203.0.113.5")
    first = service.assess(facts)
    clock.set_clock(lambda: START + timedelta(seconds=3))
    again = service.assess(facts)
    assert again == first
    counted = store.last_assessments("mer_a", "test", 5)
    assert len(counted) == 1 and counted[0]["counters"]["ip.minute.attempts"] == 1
    assert service.assess(_facts(ip="203.0.113.5")).action == "none"
    assert store.last_assessments("mer_a", "test", 1)[0]["counters"]["ip.minute.attempts"] == 2


def test_bin_and_cidr_block_lists_and_the_allow_list_passes_a_block_rule(world: None) -> None:
    bin_entry = _entry(TEST, "block", "card_bin", "424242")
    decided = service.assess(_facts(card_bin="42424299"))
    assert (decided.action, decided.list_entry.id) == ("block", bin_entry.id)  # type: ignore[union-attr]
    cidr_entry = _entry(TEST, "block", "ip", "203.0.113.0/24")
    decided = service.assess(_facts(ip="203.0.113.77"))
    assert (decided.action, decided.list_entry.id) == ("block", cidr_entry.id)  # type: ignore[union-attr]
    assert service.assess(_facts(ip="203.0.114.77")).action == "none"
    # a block rule on the e-mail; the allow list lets that e-mail through
    _rule(TEST, "block", [{"field": "email", "op": "eq", "value": "vip@example.com"}])
    assert service.assess(_facts(email="VIP@example.com")).action == "block"
    allow = _entry(TEST, "allow", "email", "vip@example.com")
    decided = service.assess(_facts(email="vip@example.com"))
    assert (decided.action, decided.list_entry.id, decided.rule) == ("allow", allow.id, None)  # type: ignore[union-attr]
    # the test lists never apply in live mode
    assert service.assess(_facts(LIVE, card_bin="42424299", ip="203.0.113.77")).action == "none"


def test_a_value_is_on_one_list_once_and_deleting_an_entry_frees_it(world: None) -> None:
    entry = _entry(TEST, "block", "email", "x@example.com")
    with pytest.raises(service.Conflict):
        _entry(TEST, "allow", "email", "X@example.com")
    assert service.delete_entry(TEST, entry.id).id == entry.id
    assert service.assess(_facts(email="x@example.com")).action == "none"
    _entry(TEST, "allow", "email", "x@example.com")
    with pytest.raises(service.NotFound):
        service.delete_entry(OTHER, entry.id)


def test_score_signals_are_listed_and_stored(world: None) -> None:
    _entry(TEST, "block", "email", "fraud@gmail.com")
    for _ in range(3):
        failed = _facts(card_fingerprint="fp_card_0001", card_country="US", ip_country="IN")
        service.assess(failed)
        service.record_outcome(failed, declined=True)
    decided = service.assess(
        _facts(
            card_fingerprint="fp_card_0001", card_country="US", ip_country="IN", email="f.r.aud+x@gmail.com"
        )
    )
    named = {signal.name: signal.points for signal in decided.signals}
    assert named == {
        "card_velocity": 5,
        "card_declines_in_row": 20,
        "country_mismatch": 15,
        "block_list_near_miss": 20,
    }
    assert decided.score == 60 and decided.level == "normal" and decided.action == "none"
    # a success ends the streak
    ok = _facts(card_fingerprint="fp_card_0001")
    service.assess(ok)
    service.record_outcome(ok, declined=False)
    later = service.assess(_facts(card_fingerprint="fp_card_0001"))
    assert "card_declines_in_row" not in {signal.name for signal in later.signals}


def test_record_outcome_counts_a_payment_once(world: None) -> None:
    facts = _facts(ip="198.51.100.1")
    service.assess(facts)
    for _ in range(3):
        service.record_outcome(facts, declined=True)
    service.record_outcome(_facts(ip="198.51.100.1"), declined=True)  # never assessed: nothing counted
    counted = store.count("mer_a", "test", "ip", "198.51.100.1", START, attempt=True)
    assert (counted["hour.declines"], counted["streak"]) == (1, 1)


def test_default_ip_decline_rule_and_review_and_3ds_by_score(world: None) -> None:
    for _ in range(20):
        facts = _facts(ip="198.51.100.9")
        service.assess(facts)
        service.record_outcome(facts, declined=True)
    decided = service.assess(_facts(ip="198.51.100.9"))
    assert decided.action == "block" and decided.rule.id == "rule_default_ip_declines"  # type: ignore[union-attr]
    # disabled per merchant and mode
    service.update_rule(TEST, "rule_default_ip_declines", {"enabled": False})
    assert service.assess(_facts(ip="198.51.100.9")).action != "block"
    assert service.get_rule(LIVE, "rule_default_ip_declines").enabled


def test_amount_far_above_usual_and_new_card_of_an_old_customer(world: None) -> None:
    for _ in range(10):
        facts = _facts(amount=1000)
        service.assess(facts)
        service.record_outcome(facts, declined=False)
    service.assess(_facts(customer="cus_old", card_fingerprint="fp_card_old1"))
    clock.set_clock(lambda: START + timedelta(days=40))
    decided = service.assess(_facts(amount=6000, customer="cus_old", card_fingerprint="fp_card_new1"))
    named = {signal.name: signal.points for signal in decided.signals}
    assert named == {"amount_above_usual": 15, "new_card_old_customer": 10}


def test_rules_crud_isolation_and_defaults_read_only(world: None) -> None:
    rule = _rule(TEST, "review", [{"field": "card_country", "op": "in", "value": ["ng", "gh"]}])
    listed = service.list_rules(TEST)
    assert [r.id for r in listed.items][-1] == rule.id and sum(r.default for r in listed.items) == 4
    assert service.list_rules(LIVE).items[-1].default and service.list_rules(OTHER).count == 4
    with pytest.raises(service.NotFound):
        service.get_rule(OTHER, rule.id)
    with pytest.raises(service.NotFound):
        service.get_rule(LIVE, rule.id)
    changed = service.update_rule(TEST, rule.id, {"action": "block"})
    assert changed.action == "block" and changed.conditions == rule.conditions and changed.version == 2
    with pytest.raises(service.BadRequest) as raised:
        service.update_rule(TEST, rule.id, {"conditions": [{"field": "ip", "op": "eq", "value": "x"}]})
    assert raised.value.field == "conditions[0].value"
    assert service.get_rule(TEST, rule.id).action == "block"  # nothing written
    with pytest.raises(service.BadRequest) as raised:
        service.update_rule(TEST, "rule_default_card_minute", {"name": "mine"})
    assert raised.value.field == "name"
    with pytest.raises(service.BadRequest):
        service.delete_rule(TEST, "rule_default_card_minute")
    with pytest.raises(service.BadRequest) as raised:
        service.update_rule(TEST, "rule_default_card_minute", {"enabled": None})
    assert raised.value.field == "enabled" and not service.get_rule(TEST, "rule_default_card_minute").enabled
    assert service.delete_rule(TEST, rule.id).id == rule.id
    with pytest.raises(service.NotFound):
        service.delete_rule(TEST, rule.id)


def test_a_test_rule_never_applies_to_a_live_payment(world: None) -> None:
    _rule(TEST, "block", [{"field": "currency", "op": "eq", "value": "INR"}])
    assert service.assess(_facts()).action == "block"
    assert service.assess(_facts(LIVE)).action == "none"


def test_dry_run_reports_the_matching_payments_and_their_facts(world: None) -> None:
    small = service.assess(_facts(amount=500))
    big = [_facts(amount=90000, email=f"b{i}@example.com") for i in range(3)]
    for facts in big:
        service.assess(facts)
    service.assess(_facts(LIVE, amount=90000))
    service.assess(_facts(OTHER, amount=90000))
    rule = {
        "name": "big INR",
        "action": "review",
        "conditions": [
            {"field": "currency", "op": "eq", "value": "INR"},
            {"field": "amount", "op": "gte", "value": 50000},
        ],
    }
    answer = service.dry_run(TEST, DryRunIn(rule=rule, last=10))
    assert answer.assessed == 4 and answer.matched == 3
    assert [m.payment_id for m in answer.matches] == [f.payment_id for f in reversed(big)]
    assert answer.matches[0].facts == {"currency": "INR", "amount": 90000}
    assert small.action == "none"
    assert service.dry_run(TEST, DryRunIn(rule=rule, last=2)).assessed == 2
    with pytest.raises(service.BadRequest) as raised:
        service.dry_run(
            TEST,
            DryRunIn(rule={**rule, "conditions": [{"field": "amount", "op": "gte", "value": 1}]}, last=1),
        )
    assert raised.value.field == "rule.conditions[0].field"
    velocity = {
        **rule,
        "conditions": [
            {"velocity": {"key": "email", "window": "day", "count": "attempts"}, "op": "gte", "value": 1}
        ],
    }
    assert service.dry_run(TEST, DryRunIn(rule=velocity, last=10)).matched == 3
    assert replace(big[0]).payment_id == big[0].payment_id
