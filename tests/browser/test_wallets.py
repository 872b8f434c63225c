"""Wallet payments in Chromium (issue 17's must-show, docs/connectors.md#wallets): through the standalone
hosted checkout, the Wallet tab (keyboard only) and Paytm: redirected to the hosted wallet page, approved,
back, success; through the demo shop's SDK modal, PhonePe declined at the wallet: failed, the shop's
onFailure."""

from __future__ import annotations

import re

from localcloud.runtime import LocalCloud
from playwright.sync_api import Page, expect

from tests.browser.checkout_page import open_modal, result_line, tid
from tests.integration.gateway.client import Api

WALLET_PAGE = re.compile(r"/checkout/wallet\?payment_id=pay_\w+&token=")


def test_a_wallet_payment_redirected_approved_back_and_successful(
    page: Page, gateway: LocalCloud, api: Api
) -> None:
    # Given the standalone hosted checkout of an order
    order = api.order(49_900)
    page.goto(f"{gateway.url}/checkout?order_id={order['id']}")
    expect(page.locator(tid("pay-button"))).to_be_visible()
    # When the payer reaches the Wallet tab by keyboard (UPI is selected; arrows move between tabs)
    page.locator(tid("tab-upi")).focus()
    page.keyboard.press("End")
    expect(page.locator(tid("tab-wallet"))).to_have_attribute("aria-selected", "true")
    expect(page.locator(tid("tab-wallet"))).to_be_focused()
    # and pays without choosing a wallet: told so, nothing sent
    page.locator(tid("pay-button")).click()
    expect(page.locator(tid("error-wallet-choice"))).to_have_text("Choose a wallet.")
    assert api.get(f"/api/v1/orders/{order['id']}").json()["attempts"] == 0
    # then picks Paytm by its label and pays
    page.get_by_label("Paytm").check()
    expect(page.locator(tid("error-wallet-choice"))).to_be_hidden()
    page.locator(tid("pay-button")).click()
    # Then the checkout sends the payer to the hosted wallet page, which names the wallet, merchant, amount
    page.wait_for_url(WALLET_PAGE)
    expect(page.locator(tid("wallet-ask"))).to_be_visible()
    expect(page.locator(tid("wallet-name"))).to_have_text("Paytm")
    expect(page.locator(tid("wallet-merchant-name"))).to_have_text("Test Merchant")
    expect(page.locator(tid("wallet-amount"))).to_have_text("₹499.00")
    # When the payer approves
    page.locator(tid("wallet-approve")).click()
    # Then back in the checkout (its own address with the payment's id): success
    expect(page.locator(tid("state-success"))).to_be_visible()
    assert page.url.startswith(f"{gateway.url}/checkout?order_id={order['id']}")
    payment = api.get(f"/api/v1/payments/{page.locator(tid('success-payment-id')).inner_text()}").json()
    assert (payment["status"], payment["method"], payment["wallet"]) == ("success", "wallet", "paytm")
    assert payment["wallet_authorization"]["status"] == "approved"
    assert [call["outcome"] for call in payment["attempts"]] == ["requires_action", "succeeded"]
    assert api.get(f"/api/v1/orders/{order['id']}").json()["status"] == "paid"


def test_a_wallet_payment_declined_in_the_sdk_modal_fails(page: Page, demo_shop: str, api: Api) -> None:
    # Given the demo shop's SDK modal, PhonePe chosen
    checkout = open_modal(page, demo_shop)
    checkout.locator(tid("tab-wallet")).click()
    checkout.locator(tid("wallet-phonepe")).check()
    checkout.locator(tid("pay-button")).click()
    # Then the modal's iframe shows the wallet page
    expect(checkout.locator(tid("wallet-name"))).to_have_text("PhonePe")
    # When the payer declines there
    checkout.locator(tid("wallet-decline")).click()
    # Then the checkout in the modal shows the failure and the shop's onFailure ran
    expect(checkout.locator(tid("state-failure"))).to_be_visible()
    expect(result_line(page)).to_have_text(re.compile(r"^failed: "))
    failed = api.get("/api/v1/payments", params={"method": "wallet", "status": "failed"}).json()["items"]
    assert failed[0]["error_code"] == "WALLET_DECLINED" and failed[0]["wallet"] == "phonepe"
    assert failed[0]["wallet_authorization"]["status"] == "declined"
