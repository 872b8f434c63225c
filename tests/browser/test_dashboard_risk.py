"""The risk assessment in the dashboard's payment view, in Chromium against localcloud: a payment
blocked by a block-list entry shows its score, level, the block and the entry that made it, and the
signals behind the score; a payment that went ahead shows its score and no decision."""

from __future__ import annotations

from typing import Any

import pytest
from localcloud.runtime import LocalCloud
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_dashboard import login, new_merchant, tid
from tests.integration.gateway.client import ADMIN_KEY, Api, card

AMEX = "378282246310005"
MASTERCARD = "5555555555554444"


@pytest.fixture(scope="module")
def admin(gateway: LocalCloud) -> Api:
    return Api(gateway.url, {"Authorization": f"Bearer {ADMIN_KEY}"})


def _pay(api: Api, number: str, amount: int = 5_000) -> dict[str, Any]:
    order = api.order(amount)
    payment = api.created("/api/v1/payments", {"order_id": order["id"], **card(number)})
    return api.settled(f"/api/v1/payments/{payment['id']}", timeout=30)


def test_a_block_list_payment_shows_the_block_its_entry_and_signals_a_normal_one_its_score(
    page: Page,
    gateway: LocalCloud,
    admin: Api,
) -> None:
    # Given a merchant whose Amex card was used four times within the hour (a velocity signal),
    # then its BIN on the block list
    shop = new_merchant(admin, gateway, "Risk View Shop")
    api: Api = shop["api"]
    normal = _pay(api, MASTERCARD)
    assert normal["status"] == "success" and normal["risk"]["action"] == "none", normal
    for _ in range(4):
        assert _pay(api, AMEX, 1_000)["status"] == "success"
    entry = api.created("/api/v1/risk/lists", {"list": "block", "type": "card_bin", "value": "378282"})
    blocked = _pay(api, AMEX)
    assert (blocked["status"], blocked["error_code"]) == ("failed", "RISK_BLOCKED"), blocked
    risk = blocked["risk"]
    assert risk["list_entry"]["id"] == entry["id"] and risk["signals"], risk

    # When its merchant opens the blocked payment's view
    login(page, gateway, shop["email"], shop["password"])
    page.goto(f"{gateway.url}/dashboard#/transactions/{blocked['id']}")

    # Then the block is obvious, with the entry that made it, the score, level and signals
    expect(tid(page, "payment-status")).to_have_text("failed")
    section = tid(page, "payment-risk")
    expect(tid(section, "risk-blocked")).to_contain_text("block list: card_bin 378282")
    expect(tid(section, "risk-score")).to_have_text(str(risk["score"]))
    expect(tid(section, "risk-level")).to_have_text(risk["level"])
    expect(tid(section, "risk-action")).to_have_text("block")
    expect(tid(section, "risk-action")).to_have_class("badge badge-bad")
    expect(tid(section, "risk-decided-by")).to_contain_text("block list: card_bin 378282")
    expect(tid(section, "risk-decided-by")).to_contain_text(entry["id"])
    rows = tid(section, "risk-signal-row")
    expect(rows).to_have_count(len(risk["signals"]))
    for row, signal in zip(rows.all(), risk["signals"], strict=True):
        expect(row).to_contain_text(signal["name"])
        expect(row).to_contain_text(str(signal["points"]))
        expect(row).to_contain_text(signal["detail"])
    expect(tid(page, "attempt-row")).to_have_count(0)  # no connector was called
    screenshot(page, "dashboard-payment-risk")

    # And the payment that went ahead shows its score, "none" and no decision
    page.goto(f"{gateway.url}/dashboard#/transactions/{normal['id']}")
    expect(tid(page, "payment-status")).to_have_text("success")
    section = tid(page, "payment-risk")
    expect(tid(section, "risk-score")).to_have_text(str(normal["risk"]["score"]))
    expect(tid(section, "risk-level")).to_have_text(normal["risk"]["level"])
    expect(tid(section, "risk-action")).to_have_text("none")
    expect(tid(section, "risk-decided-by")).to_have_text("no rule or list entry matched")
    expect(tid(section, "risk-blocked")).to_have_count(0)
    if not normal["risk"]["signals"]:
        expect(section.locator(".empty-row")).to_have_text("No risk signals")
    expect(tid(page, "attempt-row")).to_have_count(1)
