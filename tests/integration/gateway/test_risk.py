"""/api/v1/risk over HTTP: rules (defaults listed read-only, CRUD, dry run) and allow/block lists per
merchant and mode; another merchant's key sees nothing of them, a live key nothing of test mode, and a
bad body is a 400 naming the field with nothing written. The dry run reads assessments made by the
layer's ``assess`` (called here in process: the payment path calls it once the lead wires it in)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from localcloud.runtime import LocalCloud
from paygate.core import settings

from tests.integration.gateway.client import Api, error_of
from tests.integration.gateway.conftest import keys_of

RULE = {
    "name": "Big INR payments to review",
    "action": "review",
    "conditions": [
        {"field": "currency", "op": "eq", "value": "INR"},
        {"field": "amount", "op": "gte", "value": 500000},
    ],
}


@dataclass(frozen=True)
class Shop:
    merchant_id: str
    test: Api
    live: Api


def _shop(admin: Api, gateway: LocalCloud, name: str) -> Shop:
    made = admin.created("/api/v1/admin/merchants", {"name": name, "email": f"{name.lower()}@example.com"})
    return Shop(
        merchant_id=made["id"],
        test=Api.with_key(gateway.url, *keys_of(made, "test")),
        live=Api.with_key(gateway.url, *keys_of(made, "live")),
    )


@pytest.fixture(scope="module")
def shop(admin: Api, gateway: LocalCloud) -> Shop:
    return _shop(admin, gateway, "RiskShop")


@pytest.fixture(scope="module")
def other(admin: Api, gateway: LocalCloud) -> Shop:
    return _shop(admin, gateway, "RiskOther")


def _delete(api: Api, path: str) -> requests.Response:
    return api.session.delete(f"{api.base}{path}", timeout=30)


@contextmanager
def _risk_layer(gateway: LocalCloud) -> Iterator[None]:
    """The layer's risk service in this process, on the gateway's table (moto runs in process)."""
    saved = os.environ.get("RISK_TABLE")
    os.environ["RISK_TABLE"] = gateway.physical("Risk/RiskTable")
    settings._cache.clear()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("RISK_TABLE", None)
        else:
            os.environ["RISK_TABLE"] = saved
        settings._cache.clear()


def test_default_rules_are_listed_read_only_and_disabled_per_mode(shop: Shop) -> None:
    # Given / When
    listed = shop.test.get("/api/v1/risk/rules").json()
    # Then
    defaults = [rule for rule in listed["items"] if rule["default"]]
    assert {rule["id"] for rule in defaults} >= {"rule_default_card_minute", "rule_default_ip_declines"}
    # every default is on but the card velocity rule, which the merchant turns on (docs/risk.md)
    assert {rule["id"] for rule in defaults if not rule["enabled"]} == {"rule_default_card_minute"}
    # When: turned on in test mode
    answer = shop.test.patch("/api/v1/risk/rules/rule_default_card_minute", {"enabled": True})
    assert answer.status_code == 200 and answer.json()["enabled"] is True
    # Then: live mode keeps it off, and a default rule is otherwise read only
    assert shop.live.get("/api/v1/risk/rules/rule_default_card_minute").json()["enabled"] is False
    refused = shop.test.patch("/api/v1/risk/rules/rule_default_card_minute", {"name": "mine"})
    assert refused.status_code == 400 and error_of(refused)["field"] == "name"
    refused = _delete(shop.test, "/api/v1/risk/rules/rule_default_card_minute")
    assert refused.status_code == 400 and error_of(refused)["field"] == "rule_id"
    shop.test.patch("/api/v1/risk/rules/rule_default_card_minute", {"enabled": False})


def test_rules_crud_and_isolation(shop: Shop, other: Shop) -> None:
    # Given
    created = shop.test.created("/api/v1/risk/rules", RULE)
    path = f"/api/v1/risk/rules/{created['id']}"
    assert created["id"].startswith("rule_") and created["mode"] == "test" and created["default"] is False
    # Then: another merchant and live mode never see it
    assert other.test.get(path).status_code == 404
    assert shop.live.get(path).status_code == 404
    assert other.test.patch(path, {"enabled": False}).status_code == 404
    assert _delete(other.test, path).status_code == 404
    assert _delete(shop.live, path).status_code == 404
    assert created["id"] not in {r["id"] for r in shop.live.get("/api/v1/risk/rules").json()["items"]}
    assert created["id"] not in {r["id"] for r in other.test.get("/api/v1/risk/rules").json()["items"]}
    # When: changed
    changed = shop.test.patch(path, {"action": "block", "name": "Big INR blocked"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["action"] == "block" and changed.json()["conditions"] == created["conditions"]
    assert shop.test.get(path).json()["name"] == "Big INR blocked"
    # When: deleted
    assert _delete(shop.test, path).status_code == 200
    assert shop.test.get(path).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**RULE, "conditions": [{"field": "amount", "op": "gte", "value": 5}]}, "conditions[0].field"),
        (
            {**RULE, "conditions": [{"field": "ip", "op": "in_cidr", "value": "10.0.0.0/99"}]},
            "conditions[0].value",
        ),
        (
            {
                **RULE,
                "conditions": [
                    {"velocity": {"key": "ip", "window": "week", "count": "attempts"}, "op": "gt", "value": 1}
                ],
            },
            "conditions[0].velocity.window",
        ),
        ({**RULE, "action": "deny"}, "action"),
        ({**RULE, "conditions": []}, "conditions"),
        ({**RULE, "priority": 1}, "priority"),
        ("a rule", "body"),
    ],
)
def test_a_bad_rule_is_a_400_naming_the_field_and_nothing_is_written(
    shop: Shop, body: Any, field: str
) -> None:
    before = shop.test.get("/api/v1/risk/rules").json()["count"]
    answer = shop.test.post("/api/v1/risk/rules", body)
    assert answer.status_code == 400, answer.text
    assert error_of(answer)["field"] == field
    assert shop.test.get("/api/v1/risk/rules").json()["count"] == before


def test_a_bad_patch_changes_nothing(shop: Shop) -> None:
    created = shop.test.created("/api/v1/risk/rules", RULE)
    path = f"/api/v1/risk/rules/{created['id']}"
    answer = shop.test.patch(path, {"conditions": [{"field": "card_bin", "op": "eq", "value": "12"}]})
    assert answer.status_code == 400 and error_of(answer)["field"] == "conditions[0].value"
    assert shop.test.get(path).json() == created
    _delete(shop.test, path)


def test_lists_crud_normalised_and_isolated(shop: Shop, other: Shop) -> None:
    # Given
    entry = shop.test.created(
        "/api/v1/risk/lists", {"list": "block", "type": "email", "value": "Fraud@Example.COM"}
    )
    cidr = shop.test.created("/api/v1/risk/lists", {"list": "block", "type": "ip", "value": "203.0.113.9/24"})
    bin_ = shop.test.created("/api/v1/risk/lists", {"list": "allow", "type": "card_bin", "value": "42424242"})
    # Then: normalised, listed newest first
    assert (entry["value"], cidr["value"], bin_["value"]) == (
        "fraud@example.com",
        "203.0.113.0/24",
        "42424242",
    )
    listed = shop.test.get("/api/v1/risk/lists").json()
    assert [item["id"] for item in listed["items"]][:3] == [bin_["id"], cidr["id"], entry["id"]]
    # a value is on one list once
    taken = shop.test.post(
        "/api/v1/risk/lists", {"list": "allow", "type": "email", "value": "fraud@example.com"}
    )
    assert taken.status_code == 409 and error_of(taken)["field"] == "value"
    # isolation: another merchant's and live mode's lists are their own, empty
    assert other.test.get("/api/v1/risk/lists").json()["items"] == []
    assert shop.live.get("/api/v1/risk/lists").json()["items"] == []
    assert _delete(other.test, f"/api/v1/risk/lists/{entry['id']}").status_code == 404
    assert _delete(shop.live, f"/api/v1/risk/lists/{entry['id']}").status_code == 404
    # When: deleted
    assert _delete(shop.test, f"/api/v1/risk/lists/{entry['id']}").status_code == 200
    assert entry["id"] not in {item["id"] for item in shop.test.get("/api/v1/risk/lists").json()["items"]}
    assert _delete(shop.test, f"/api/v1/risk/lists/{entry['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"list": "block", "type": "card_bin", "value": "4242"}, "value"),
        ({"list": "block", "type": "country", "value": "IND"}, "value"),
        ({"list": "grey", "type": "ip", "value": "10.0.0.1"}, "list"),
        ({"list": "block", "type": "phone", "value": "1"}, "type"),
        ({"list": "block", "type": "ip", "value": "10.0.0.1/64"}, "value"),
        ({"list": "block", "type": "email"}, "value"),
    ],
)
def test_a_bad_list_entry_is_a_400_naming_the_field_and_nothing_is_written(
    shop: Shop, body: Any, field: str
) -> None:
    before = shop.test.get("/api/v1/risk/lists", params={"limit": 100}).json()["count"]
    answer = shop.test.post("/api/v1/risk/lists", body)
    assert answer.status_code == 400, answer.text
    assert error_of(answer)["field"] == field
    assert shop.test.get("/api/v1/risk/lists", params={"limit": 100}).json()["count"] == before


def test_dry_run_reports_the_payments_a_rule_would_have_matched(
    shop: Shop, other: Shop, gateway: LocalCloud
) -> None:
    from paygate.risk.service import RiskFacts, assess

    # Given: assessed payments in test mode, one in live mode, one of another merchant
    with _risk_layer(gateway):

        def facts(merchant_id: str, mode: str, payment_id: str, amount: int) -> RiskFacts:
            return RiskFacts(
                merchant_id=merchant_id,
                mode=mode,
                payment_id=payment_id,
                amount=amount,
                currency="INR",
                method="card",
                email="payer@example.com",
            )

        assess(facts(shop.merchant_id, "test", "pay_00000000000001", 900000))
        assess(facts(shop.merchant_id, "test", "pay_00000000000002", 1000))
        assess(facts(shop.merchant_id, "test", "pay_00000000000003", 700000))
        assess(facts(shop.merchant_id, "live", "pay_00000000000004", 900000))
        assess(facts(other.merchant_id, "test", "pay_00000000000005", 900000))
    # When
    answer = shop.test.post("/api/v1/risk/rules/dry_run", {"rule": RULE, "last": 100})
    # Then
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert (found["assessed"], found["matched"]) == (3, 2)
    assert [m["payment_id"] for m in found["matches"]] == ["pay_00000000000003", "pay_00000000000001"]
    assert found["matches"][0]["facts"] == {"currency": "INR", "amount": 700000}
    live = shop.live.post("/api/v1/risk/rules/dry_run", {"rule": RULE, "last": 100}).json()
    assert [m["payment_id"] for m in live["matches"]] == ["pay_00000000000004"]
    # bad input names the field
    bad = shop.test.post("/api/v1/risk/rules/dry_run", {"rule": {**RULE, "action": "x"}, "last": 10})
    assert bad.status_code == 400 and error_of(bad)["field"] == "rule.action"
    bad = shop.test.post("/api/v1/risk/rules/dry_run", {"rule": RULE, "last": 1001})
    assert bad.status_code == 400 and error_of(bad)["field"] == "last"


def test_create_is_idempotent_with_an_idempotency_key(shop: Shop) -> None:
    # Given
    headers = {"Idempotency-Key": "risk-rule-once"}
    first = shop.test.post("/api/v1/risk/rules", RULE, headers=headers)
    # When: the same request again, then another body with the same key
    again = shop.test.post("/api/v1/risk/rules", RULE, headers=headers)
    other = shop.test.post("/api/v1/risk/rules", {**RULE, "name": "another"}, headers=headers)
    # Then
    assert first.status_code == 201 and again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert other.status_code == 422
    _delete(shop.test, f"/api/v1/risk/rules/{first.json()['id']}")


def test_a_test_rule_or_list_never_applies_to_a_live_payment(shop: Shop, gateway: LocalCloud) -> None:
    from paygate.risk.service import RiskFacts, assess

    # Given: a test-mode block rule on JPY and a test-mode block-list IP
    rule = shop.test.created(
        "/api/v1/risk/rules",
        {
            "name": "no JPY",
            "action": "block",
            "conditions": [{"field": "currency", "op": "eq", "value": "JPY"}],
        },
    )
    entry = shop.test.created("/api/v1/risk/lists", {"list": "block", "type": "ip", "value": "198.51.100.7"})
    # When
    with _risk_layer(gateway):

        def facts(mode: str, payment_id: str, **given: Any) -> RiskFacts:
            base: dict[str, Any] = {"amount": 1000, "currency": "INR", "method": "card"}
            return RiskFacts(
                merchant_id=shop.merchant_id, mode=mode, payment_id=payment_id, **{**base, **given}
            )

        test_jpy = assess(facts("test", "pay_00000000000011", currency="JPY"))
        live_jpy = assess(facts("live", "pay_00000000000012", currency="JPY"))
        test_ip = assess(facts("test", "pay_00000000000013", ip="198.51.100.7"))
        live_ip = assess(facts("live", "pay_00000000000014", ip="198.51.100.7"))
    # Then
    assert test_jpy.action == "block" and test_jpy.rule is not None and test_jpy.rule.id == rule["id"]
    assert (
        test_ip.action == "block" and test_ip.list_entry is not None and test_ip.list_entry.id == entry["id"]
    )
    assert live_jpy.action == "none" and live_ip.action == "none"
    _delete(shop.test, f"/api/v1/risk/rules/{rule['id']}")
    _delete(shop.test, f"/api/v1/risk/lists/{entry['id']}")


def test_an_id_that_cannot_be_one_is_a_404_not_a_500(shop: Shop) -> None:
    long_id = "rule_" + "x" * 2000
    assert shop.test.get(f"/api/v1/risk/rules/{long_id}").status_code == 404
    assert shop.test.patch(f"/api/v1/risk/rules/{long_id}", {"enabled": False}).status_code == 404
    assert _delete(shop.test, f"/api/v1/risk/rules/{long_id}").status_code == 404
    gone = _delete(shop.test, "/api/v1/risk/lists/rle_%C3%A9")
    assert gone.status_code == 404 and error_of(gone)["field"] == "entry_id"
