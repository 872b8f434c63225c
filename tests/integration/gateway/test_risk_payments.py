"""Risk in the payment path over HTTP against localcloud (issue 19's must-shows that need no review
queue): the default velocity rule blocks the 6th attempt of one card in a minute across two customers;
a BIN and then an IP CIDR block list entry block; an allow list entry lets a payment pass a block rule;
a request_3ds rule sends a card without 3-D Secure of its own to the challenge; each payment's risk
score lists its signals; a new rule's dry run names the payments it would have blocked. A blocked
payment reaches no connector."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from localcloud.runtime import LocalCloud

from tests.integration.gateway.client import Api, card
from tests.integration.gateway.conftest import keys_of

FAST = "4242424242424242"
MASTERCARD = "5555555555554444"
AMEX = "378282246310005"


@pytest.fixture(scope="module")
def shop(admin: Api, gateway: LocalCloud) -> Api:
    made = admin.created("/api/v1/admin/merchants", {"name": "Risky Shop", "email": "risky@example.com"})
    return Api.with_key(gateway.url, *keys_of(made, "test"))


def _fresh_minute() -> None:
    """Counters are per UTC minute: start a burst early in one, so it cannot straddle two."""
    second = datetime.now(UTC).second
    if second > 40:
        time.sleep(61 - second)


def _pay(api: Api, number: str, amount: int = 5_000, **order: Any) -> dict[str, Any]:
    made = api.order(amount, **order)
    payment = api.created("/api/v1/payments", {"order_id": made["id"], **card(number)})
    return api.settled(f"/api/v1/payments/{payment['id']}", timeout=30)


def test_the_sixth_attempt_of_one_card_in_a_minute_is_blocked_across_two_customers(shop: Api) -> None:
    # the default card velocity rule, turned on by the merchant (off by default: docs/risk.md)
    turned = shop.patch("/api/v1/risk/rules/rule_default_card_minute", {"enabled": True})
    assert turned.status_code == 200 and turned.json()["enabled"] is True
    ada = shop.created("/api/v1/customers", {"name": "Ada"})["id"]
    bob = shop.created("/api/v1/customers", {"name": "Bob"})["id"]
    _fresh_minute()
    paid = [_pay(shop, FAST, customer=(ada, bob)[i % 2]) for i in range(6)]
    assert [p["status"] for p in paid[:5]] == ["success"] * 5, [p.get("error_code") for p in paid]
    sixth = paid[5]
    assert (sixth["status"], sixth["error_code"]) == ("failed", "RISK_BLOCKED"), sixth
    assert sixth["attempts"] == [] and sixth["risk"]["action"] == "block"
    assert sixth["risk"]["rule"]["id"] == "rule_default_card_minute"
    assert sixth["customer"] == bob and paid[4]["customer"] == ada
    # the score names its signals
    assert sixth["risk"]["signals"] and all(
        {"name", "points", "detail"} <= set(s) for s in sixth["risk"]["signals"]
    )
    assert 0 <= sixth["risk"]["score"] <= 100 and sixth["risk"]["level"] in ("normal", "elevated", "highest")
    # another card of the same minute is not affected
    assert _pay(shop, MASTERCARD)["status"] == "success"


def test_a_bin_then_an_ip_cidr_on_the_block_list_block_and_an_allow_entry_passes_a_block_rule(
    shop: Api, gateway: LocalCloud
) -> None:
    entry = shop.created("/api/v1/risk/lists", {"list": "block", "type": "card_bin", "value": "378282"})
    blocked = _pay(shop, AMEX)
    assert (blocked["status"], blocked["error_code"]) == ("failed", "RISK_BLOCKED"), blocked
    assert blocked["risk"]["list_entry"]["id"] == entry["id"] and blocked["attempts"] == []
    assert shop.session.delete(f"{shop.base}/api/v1/risk/lists/{entry['id']}", timeout=30).status_code in (
        200,
        204,
    )
    # the payer's address at the checkout, on a CIDR
    cidr = shop.created("/api/v1/risk/lists", {"list": "block", "type": "ip", "value": "127.0.0.0/8"})
    order = shop.order(5_000)
    public = Api(gateway.url).post("/api/v1/payments/public", {"order_id": order["id"], **card(MASTERCARD)})
    assert public.status_code == 201, public.text
    seen = shop.settled(f"/api/v1/payments/{public.json()['id']}", timeout=30)
    assert (seen["error_code"], seen["risk"]["list_entry"]["id"]) == ("RISK_BLOCKED", cidr["id"]), seen
    shop.session.delete(f"{shop.base}/api/v1/risk/lists/{cidr['id']}", timeout=30)
    # a merchant rule blocks big INR payments; the card on the allow list passes it
    rule = {
        "name": "no big INR",
        "action": "block",
        "conditions": [
            {"field": "currency", "op": "eq", "value": "INR"},
            {"field": "amount", "op": "gte", "value": 90_000},
        ],
    }
    shop.created("/api/v1/risk/rules", rule)
    assert _pay(shop, MASTERCARD, 95_000)["error_code"] == "RISK_BLOCKED"
    fingerprint = _pay(shop, MASTERCARD, 1_000)["card"]["fingerprint"]
    shop.created("/api/v1/risk/lists", {"list": "allow", "type": "card_fingerprint", "value": fingerprint})
    allowed = _pay(shop, MASTERCARD, 95_000)
    assert allowed["status"] == "success" and allowed["risk"]["action"] == "allow", allowed


def test_a_request_3ds_rule_challenges_any_card_and_a_dry_run_names_what_a_rule_would_block(
    shop: Api,
) -> None:
    rule = shop.created(
        "/api/v1/risk/rules",
        {
            "name": "3DS for JPY",
            "action": "request_3ds",
            "conditions": [{"field": "currency", "op": "eq", "value": "JPY"}],
        },
    )
    order = shop.created("/api/v1/orders", {"amount": 5_000, "currency": "JPY"})
    payment = shop.created("/api/v1/payments", {"order_id": order["id"], **card(MASTERCARD)})
    challenged = shop.settled(f"/api/v1/payments/{payment['id']}", timeout=30)
    assert challenged["status"] == "requires_action", challenged
    assert (
        challenged["risk"]["rule"]["id"] == rule["id"]
        and challenged["next_action"]["type"] == "redirect_to_url"
    )
    # which of the last payments would a new rule have blocked?
    dry = shop.post(
        "/api/v1/risk/rules/dry_run",
        {
            "rule": {
                "name": "mastercard",
                "action": "block",
                "conditions": [{"field": "card_network", "op": "eq", "value": "mastercard"}],
            },
            "last": 50,
        },
    )
    assert dry.status_code == 200, dry.text
    matched = {m["payment_id"] for m in dry.json()["matches"]}
    assert payment["id"] in matched
    listed = shop.get("/api/v1/payments?limit=50").json()["items"]
    networks = {p["id"]: (p["card"] or {}).get("network") for p in listed}
    assert matched and all(networks.get(m, "mastercard") == "mastercard" for m in matched)
    assert any(n == "visa" for n in networks.values())  # visa payments were assessed, not matched
