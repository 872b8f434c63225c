"""The failure path: a gateway whose test payments are declined (TestPaymentSuccess=false).

One LocalCloud runs per process (the package's ``gateway`` fixture may be running), so this gateway is
started as a user starts it, ``paygate local --port 0``, in its own process; its banner also names the
demo shop it started next to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checkout_page import open_modal, pay_by_upi, result_line, tid
from tests.browser.conftest import screenshot
from tests.helpers import paygate_local
from tests.integration.gateway.client import SEED_KEY, Api

# the public view of a failure gives a generic reason: the processor's is for the merchant only
DECLINE = "The payment was declined; try again or use another payment method"


@dataclass
class Declining:
    url: str
    shop_url: str
    api: Api


@pytest.fixture(scope="package")
def declining() -> Iterator[Declining]:
    with paygate_local("TestPaymentSuccess=false") as urls:
        yield Declining(urls["gateway"], urls["shop"], Api.with_key(urls["gateway"], *SEED_KEY))


def test_upi_decline_shows_the_reason_and_try_again_pays_again(page: Page, declining: Declining) -> None:
    order = declining.api.order(5000)
    page.goto(f"{declining.url}/checkout?order_id={order['id']}")
    pay_by_upi(page)
    expect(page.locator(tid("state-processing"))).to_be_visible()
    expect(page.locator(tid("state-failure"))).to_be_visible()
    expect(page.locator(tid("failure-reason"))).to_have_text(DECLINE)
    screenshot(page, "checkout-failure")

    page.locator(tid("retry-button")).click()
    expect(page.locator(tid("pay-button"))).to_be_visible()
    expect(page.locator(tid("upi-vpa"))).to_have_value("payer@okaxis")  # kept for the retry
    page.locator(tid("pay-button")).click()
    expect(page.locator(tid("state-processing"))).to_be_visible()
    expect(page.locator(tid("state-failure"))).to_be_visible()

    payments = declining.api.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    assert len(payments) == 2
    assert {payment["status"] for payment in payments} == {"failed"}
    assert {payment["error_code"] for payment in payments} == {"UPI_DECLINED"}


def test_demo_shop_hears_the_failure(page: Page, declining: Declining) -> None:
    checkout = open_modal(page, declining.shop_url)
    pay_by_upi(checkout)
    expect(result_line(page)).to_have_text(f"failed: {DECLINE}")
    # The modal stays open on a failure: the payer may try again or close it.
    expect(page.locator(tid("paygate-modal"))).to_be_visible()
    expect(checkout.locator(tid("retry-button"))).to_be_visible()
