"""Saved cards at the hosted checkout, in Chromium (issue 18, item 6): an order made for a customer
offers the customer's saved cards and pays with one; a new card with the consent box ticked is saved to
the customer, unticked it is not; the same in the SDK's modal on the demo shop, for a signed-in shopper."""

from __future__ import annotations

import uuid
from typing import Any

import requests
from localcloud.runtime import LocalCloud
from playwright.sync_api import Page, expect

from tests.browser.checkout_page import (
    MASTERCARD,
    PAID,
    customer,
    fill_card,
    open_modal,
    result_line,
    saved_card,
    tid,
)
from tests.browser.conftest import screenshot
from tests.integration.gateway.client import Api


def methods_of(api: Api, customer_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/customers/{customer_id}/payment_methods")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def pay_and_wait(checkout: Page) -> str:
    checkout.locator(tid("pay-button")).click()
    expect(checkout.locator(tid("state-success"))).to_be_visible()
    return checkout.locator(tid("success-payment-id")).inner_text()


def test_the_checkout_offers_the_saved_card_and_pays_with_it(
    page: Page, gateway: LocalCloud, api: Api
) -> None:
    # Given a customer with a saved Mastercard and an order made for the customer
    buyer = customer(api)
    method = saved_card(api, buyer["id"])
    order = api.order(2500, customer=buyer["id"])
    # When the payer opens the checkout
    page.goto(f"{gateway.url}/checkout?order_id={order['id']}")
    # Then the card tab is open on the saved card, chosen; the new-card form waits behind "Use a new card"
    expect(page.locator(tid("tab-card"))).to_have_attribute("aria-selected", "true")
    choice = page.locator(f'{tid("saved-card")}[data-id="{method["id"]}"]')
    expect(choice).to_be_checked()
    expect(page.get_by_role("radio", name="Mastercard ending in 4444, expires 08/32")).to_be_visible()
    expect(page.locator(tid("saved-cards"))).to_contain_text("•••• 4444")
    expect(page.locator(tid("card-number"))).to_be_hidden()
    page.locator(tid("saved-card-new")).check()
    expect(page.locator(tid("card-number"))).to_be_visible()
    expect(page.locator(tid("save-card"))).not_to_be_checked()  # consent is never assumed
    choice.check()
    expect(page.locator(tid("card-number"))).to_be_hidden()
    screenshot(page, "checkout-saved-cards")
    # When they pay with it, nothing typed
    payment_id = pay_and_wait(page)
    # Then the payment was made with the saved method
    payment = api.get(f"/api/v1/payments/{payment_id}").json()
    assert (payment["status"], payment["payment_method"], payment["customer"]) == (
        "success",
        method["id"],
        buyer["id"],
    )
    assert payment["card"]["last4"] == "4444"
    assert len(methods_of(api, buyer["id"])) == 1  # nothing new saved


def test_a_signed_in_shopper_saves_a_card_in_the_sdk_modal_then_pays_with_it(
    page: Page, demo_shop: str, api: Api
) -> None:
    # Given the demo shop with a signed-in shopper: its server makes the order for the shopper's customer
    shopper = f"shopper-{uuid.uuid4().hex[:10]}"
    # When the shopper buys, ticks "Save this card" in the modal and pays
    checkout = open_modal(page, f"{demo_shop}?shopper={shopper}")
    expect(checkout.locator(tid("saved-cards"))).to_be_hidden()
    fill_card(checkout, number=MASTERCARD)
    checkout.locator(tid("save-card")).check()
    checkout.locator(tid("pay-button")).click()
    expect(result_line(page)).to_have_text(PAID)
    # Then the shop's customer (found by the shop's own id) has the card
    found = api.get("/api/v1/customers", params={"external_id": shopper}).json()["items"]
    assert len(found) == 1
    saved = methods_of(api, found[0]["id"])
    assert [m["card"]["last4"] for m in saved] == ["4444"]

    # When the shopper buys again: the modal opens on the saved card, and paying takes one click
    page.evaluate("s => document.querySelector(s).textContent = ''", tid("demo-result"))
    checkout = open_modal(page, f"{demo_shop}?shopper={shopper}")
    expect(checkout.locator(f'{tid("saved-card")}[data-id="{saved[0]["id"]}"]')).to_be_checked()
    checkout.locator(tid("pay-button")).click()
    # Then the shop hears of a payment made with the saved card
    expect(result_line(page)).to_have_text(PAID)
    match = PAID.match(result_line(page).inner_text())
    assert match is not None
    assert api.get(f"/api/v1/payments/{match.group(1)}").json()["payment_method"] == saved[0]["id"]


def test_the_consent_box_saves_the_card_only_when_ticked(page: Page, gateway: LocalCloud, api: Api) -> None:
    # Given a customer without saved cards and an order made for the customer
    buyer = customer(api)
    order = api.order(3000, customer=buyer["id"])
    page.goto(f"{gateway.url}/checkout?order_id={order['id']}")
    # Then no saved cards are offered, the consent box is, unticked, and it says what it agrees to
    expect(page.locator(tid("saved-cards"))).to_be_hidden()
    fill_card(page, number=MASTERCARD)
    box = page.get_by_role("checkbox", name="Save this card for future payments")
    expect(box).not_to_be_checked()
    expect(page.locator(tid("save-card-terms"))).to_contain_text(
        "Test Merchant may keep this card and charge it"
    )
    # When the payer ticks it and pays
    box.check()
    screenshot(page, "checkout-save-card")
    first = pay_and_wait(page)
    # Then the card is saved to the customer, with the consent recorded from this browser
    saved = methods_of(api, buyer["id"])
    assert [(m["card"]["network"], m["card"]["last4"]) for m in saved] == [("mastercard", "4444")]
    acceptance = saved[0]["mandate"]["customer_acceptance"]
    assert acceptance["type"] == "online" and "Chrome" in acceptance["online"]["user_agent"]
    assert api.get(f"/api/v1/payments/{first}").json()["customer"] == buyer["id"]

    # Given a second order: the card just saved is offered now
    order = api.order(3100, customer=buyer["id"])
    page.goto(f"{gateway.url}/checkout?order_id={order['id']}")
    expect(page.locator(f'{tid("saved-card")}[data-id="{saved[0]["id"]}"]')).to_be_checked()
    # When the payer pays with a new card and leaves the box unticked
    page.locator(tid("saved-card-new")).check()
    fill_card(page)
    expect(page.locator(tid("save-card"))).not_to_be_checked()
    second = pay_and_wait(page)
    # Then the payment is made with the typed card and nothing more is saved
    payment = api.get(f"/api/v1/payments/{second}").json()
    assert payment["card"]["last4"] == "1111" and payment.get("payment_method") is None
    assert [m["id"] for m in methods_of(api, buyer["id"])] == [saved[0]["id"]]


def test_an_order_without_a_customer_offers_neither(page: Page, gateway: LocalCloud, api: Api) -> None:
    order = api.order(1500)
    page.goto(f"{gateway.url}/checkout?order_id={order['id']}")
    expect(page.locator(tid("tab-upi"))).to_have_attribute("aria-selected", "true")
    page.locator(tid("tab-card")).click()
    expect(page.locator(tid("card-number"))).to_be_visible()
    expect(page.locator(tid("saved-cards"))).to_be_hidden()
    expect(page.locator(tid("save-card-field"))).to_be_hidden()


def test_the_demo_shop_makes_orders_for_its_shoppers_customer(demo_shop: str, api: Api) -> None:
    shopper = f"shopper-{uuid.uuid4().hex[:10]}"
    asked = {"product": "masala-chai-kit", "shopper": shopper}
    orders = [requests.post(f"{demo_shop}api/orders", json=asked, timeout=30) for _ in range(2)]
    assert [o.status_code for o in orders] == [201, 201], [o.text for o in orders]
    customers = {api.get(f"/api/v1/orders/{o.json()['order_id']}").json()["customer"] for o in orders}
    found = api.get("/api/v1/customers", params={"external_id": shopper}).json()["items"]
    assert customers == {found[0]["id"]}  # one customer, found again the second time
    # a guest's order has no customer; a shopper id the shop would never issue is refused
    guest = requests.post(f"{demo_shop}api/orders", json={"product": "masala-chai-kit"}, timeout=30).json()
    assert api.get(f"/api/v1/orders/{guest['order_id']}").json()["customer"] is None
    for bad in ["", "a b", "x" * 65, 7, ["a"]]:
        refused = requests.post(f"{demo_shop}api/orders", json={"shopper": bad}, timeout=30)
        assert refused.status_code == 400 and "shopper" in refused.json()["error"]["description"]
