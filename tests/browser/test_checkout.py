"""The hosted checkout, the SDK's modal and the demo shop, in Chromium, against the gateway on localcloud.

The demo shop runs on its own port: another origin than the gateway, as a real merchant's site is.
"""

from __future__ import annotations

from localcloud.runtime import LocalCloud
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.checkout_page import (
    PAID,
    fill_card,
    modal_order_id,
    open_modal,
    pay_by_upi,
    result_line,
    tid,
)
from tests.browser.conftest import dashboard_login, screenshot
from tests.integration.gateway.client import SEED_EMAIL, SEED_PASSWORD, Api


def checkout_url(base: str, order_id: str) -> str:
    return f"{base}/checkout?order_id={order_id}"


def test_demo_shop_pays_by_card_through_the_sdk_modal(
    page: Page, demo_shop: str, api: Api, gateway: LocalCloud
) -> None:
    checkout = open_modal(page, demo_shop)
    expect(checkout.locator(tid("checkout-merchant-name"))).to_have_text("Test Merchant")
    expect(checkout.locator(tid("checkout-amount"))).to_have_text("₹499.00")
    fill_card(checkout)
    expect(checkout.locator(tid("card-number"))).to_have_value("4111 1111 1111 1111")
    expect(checkout.locator(tid("card-network"))).to_have_text("Visa")
    checkout.locator(tid("pay-button")).click()
    expect(checkout.locator(tid("state-processing"))).to_be_visible()

    result = result_line(page)
    expect(result).to_have_text(PAID)  # the shop's onSuccess ran
    expect(page.locator(tid("paygate-modal"))).to_have_count(0)  # closed a moment after the success
    match = PAID.match(result.inner_text())
    assert match is not None
    payment = api.get(f"/api/v1/payments/{match.group(1)}").json()
    assert payment["status"] == "success"
    assert payment["method"] == "card"
    assert payment["card"]["last4"] == "1111"
    assert payment["card"]["network"] == "visa"
    # and the merchant's dashboard lists it as a success
    dashboard_login(page, gateway.url, SEED_EMAIL, SEED_PASSWORD)
    page.locator(tid("nav-transactions")).click()
    row = page.locator(f'{tid("transaction-row")}[data-id="{payment["id"]}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("success")


def test_client_side_validation_blocks_a_bad_card_and_creates_no_payment(
    page: Page, gateway: LocalCloud, api: Api
) -> None:
    order = api.order(5000)
    page.goto(checkout_url(gateway.url, order["id"]))
    fill_card(page, number="4111111111111112", expiry="01/20")
    page.locator(tid("pay-button")).click()
    expect(page.locator(tid("error-card-number"))).to_be_visible()
    expect(page.locator(tid("error-card-number"))).to_contain_text("not valid")
    expect(page.locator(tid("error-card-expiry"))).to_have_text("This card has expired.")
    expect(page.locator(tid("error-card-cvv"))).to_be_hidden()
    expect(page.locator(tid("card-number"))).to_be_focused()  # the first field to fix
    screenshot(page, "checkout-validation")

    # Fixing a field clears its message as you type; the Enter key submits the form.
    page.locator(tid("card-number")).fill("4111111111111111")
    expect(page.locator(tid("error-card-number"))).to_be_hidden()
    page.locator(tid("card-cvv")).press("Enter")
    expect(page.locator(tid("error-card-expiry"))).to_be_visible()

    # Amex: grouping 4-6-5 and a 4-digit CVV; the message shows on blur.
    page.locator(tid("card-number")).fill("")
    page.locator(tid("card-number")).press_sequentially("378282246310005")
    expect(page.locator(tid("card-number"))).to_have_value("3782 822463 10005")
    expect(page.locator(tid("card-network"))).to_have_text("Amex")
    page.locator(tid("card-cvv")).fill("123")
    page.locator(tid("card-cvv")).blur()
    expect(page.locator(tid("error-card-cvv"))).to_contain_text("4-digit")

    # A UPI ID without a bank handle.
    page.locator(tid("tab-upi")).click()
    page.locator(tid("upi-vpa")).fill("payer@")
    page.locator(tid("upi-vpa")).blur()
    expect(page.locator(tid("error-upi-vpa"))).to_be_visible()
    page.locator(tid("upi-vpa")).press("Enter")

    expect(page.locator(tid("state-processing"))).to_be_hidden()
    page.wait_for_timeout(300)
    payments = api.get(f"/api/v1/orders/{order['id']}/payments").json()
    assert payments["count"] == 0


def test_forged_messages_fire_no_callback(
    page: Page, context: BrowserContext, demo_shop: str, gateway: LocalCloud
) -> None:
    checkout = open_modal(page, demo_shop)
    forged = {"source": "paygate", "order_id": modal_order_id(page), "payment_id": "pay_forged00000000"}
    # From the shop's own window: the right shape, the wrong origin.
    page.evaluate("m => window.postMessage({...m, type: 'payment_success'}, '*')", forged)
    page.evaluate("m => window.postMessage({...m, type: 'close'}, '*')", forged)
    # From a gateway-origin window that is not the checkout iframe: right origin, wrong source.
    with context.expect_page() as opened:
        page.evaluate("url => window.open(url)", f"{gateway.url}/sdk/checkout.js")
    popup = opened.value
    popup.wait_for_load_state()
    popup.evaluate("m => window.opener.postMessage({...m, type: 'payment_success'}, '*')", forged)
    popup.evaluate("m => window.opener.postMessage({...m, type: 'close'}, '*')", forged)
    popup.close()

    page.wait_for_timeout(500)
    expect(result_line(page)).to_have_text("")
    expect(page.locator(tid("paygate-modal"))).to_be_visible()
    # The real channel still works: the checkout's own close reaches the shop.
    checkout.locator(tid("checkout-close")).click()
    expect(result_line(page)).to_have_text("closed")
    expect(page.locator(tid("paygate-modal"))).to_have_count(0)


def test_one_modal_at_a_time_escape_closes_and_focus_returns(page: Page, demo_shop: str) -> None:
    page.goto(demo_shop)
    buy = page.locator(tid("demo-buy-button"))
    buy.click()
    modal, iframe = page.locator(tid("paygate-modal")), page.locator(tid("paygate-iframe"))
    expect(modal).to_have_count(1)
    first_src = iframe.get_attribute("src")
    # A second checkout while one is open (the button is under the overlay: dispatch the click).
    buy.dispatch_event("click")
    expect(iframe).not_to_have_attribute("src", first_src or "")
    # The same instance opened twice.
    page.evaluate("() => { const g = new PaymentGateway({orderId: 'order_twice'}); g.open(); g.open(); }")
    expect(modal).to_have_count(1)
    expect(iframe).to_have_count(1)
    assert page.evaluate("document.body.style.overflow") == "hidden"

    page.keyboard.press("Escape")
    expect(modal).to_have_count(0)
    assert page.evaluate("document.body.style.overflow") == ""

    # Escape inside the checkout iframe and the SDK's close button do the same; onClose fires.
    buy.click()
    checkout = page.frame_locator(tid("paygate-iframe"))
    checkout.locator(tid("upi-vpa")).click()
    checkout.locator(tid("upi-vpa")).press("Escape")
    expect(modal).to_have_count(0)
    expect(result_line(page)).to_have_text("closed")
    expect(buy).to_be_focused()  # focus went back where it was

    page.evaluate("s => document.querySelector(s).textContent = ''", tid("demo-result"))
    buy.click()
    page.locator(tid("paygate-close")).click()
    expect(modal).to_have_count(0)
    expect(result_line(page)).to_have_text("closed")


def test_screenshots_desktop_and_mobile(page: Page, browser: Browser, demo_shop: str) -> None:
    checkout = open_modal(page, demo_shop)
    fill_card(checkout, number="5555555555554444")
    expect(checkout.locator(tid("card-network"))).to_have_text("Mastercard")
    screenshot(page, "checkout-desktop")

    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    try:
        mobile = phone.new_page()
        checkout = open_modal(mobile, demo_shop)
        checkout.locator(tid("tab-card")).click()
        handle = mobile.locator(tid("paygate-iframe")).element_handle()
        assert handle is not None
        frame = handle.content_frame()
        assert frame is not None
        # Nothing wider than the phone: no sideways scrolling.
        assert frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(mobile, "checkout-mobile")
    finally:
        phone.close()


def test_standalone_checkout_success_then_paid(page: Page, gateway: LocalCloud, api: Api) -> None:
    order = api.order(125000)
    page.goto(checkout_url(gateway.url, order["id"]))
    expect(page.locator(tid("checkout-amount"))).to_have_text("₹1,250.00")
    expect(page.locator(tid("checkout-close"))).to_be_hidden()  # only when embedded
    pay_by_upi(page)
    expect(page.locator(tid("state-processing"))).to_be_visible()
    expect(page.locator(tid("state-success"))).to_be_visible()
    payment_id = page.locator(tid("success-payment-id")).inner_text()
    assert payment_id.startswith("pay_")
    screenshot(page, "checkout-success")
    assert api.get(f"/api/v1/payments/{payment_id}").json()["status"] == "success"

    page.reload()
    expect(page.locator(tid("state-paid"))).to_be_visible()
    expect(page.locator(tid("pay-button"))).to_be_hidden()


def test_amounts_use_the_currency_exponent_and_unknown_orders_say_so(
    page: Page, gateway: LocalCloud, api: Api
) -> None:
    for amount, currency, shown in [(5000, "JPY", "¥5,000"), (12345, "KWD", "12.345")]:
        order = api.order(amount, currency=currency)
        page.goto(checkout_url(gateway.url, order["id"]))
        expect(page.locator(tid("checkout-amount"))).to_contain_text(shown)
        if currency == "JPY":
            expect(page.locator(tid("checkout-amount"))).not_to_contain_text(".")

    page.goto(checkout_url(gateway.url, "order_doesnotexist00"))
    expect(page.locator(tid("state-error"))).to_be_visible()
    expect(page.locator(tid("error-message"))).to_contain_text("couldn't find order")
    expect(page.locator(tid("pay-button"))).to_be_hidden()
