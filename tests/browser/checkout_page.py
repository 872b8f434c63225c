"""Driving the hosted checkout and the SDK's modal: selectors by the contract's data-test-id names."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import FrameLocator, Locator, Page, expect

from tests.integration.gateway.client import Api


def tid(name: str) -> str:
    return f'[data-test-id="{name}"]'


def open_modal(page: Page, shop_url: str) -> FrameLocator:
    """The demo shop's Buy button: its server creates the order, the SDK opens the checkout."""
    page.goto(shop_url)
    page.locator(tid("demo-buy-button")).click()
    expect(page.locator(tid("paygate-modal"))).to_be_visible()
    frame = page.frame_locator(tid("paygate-iframe"))
    expect(frame.locator(tid("pay-button"))).to_be_visible()
    return frame


def modal_order_id(page: Page) -> str:
    src = page.locator(tid("paygate-iframe")).get_attribute("src") or ""
    return parse_qs(urlsplit(src).query)["order_id"][0]


def fill_card(
    checkout: Page | FrameLocator,
    number: str = "4111111111111111",
    expiry: str = "12/31",
    cvv: str = "123",
    name: str = "Asha Rao",
) -> None:
    checkout.locator(tid("tab-card")).click()
    checkout.locator(tid("card-number")).press_sequentially(number)
    checkout.locator(tid("card-expiry")).press_sequentially(expiry)
    checkout.locator(tid("card-cvv")).fill(cvv)
    checkout.locator(tid("card-name")).fill(name)


def pay_by_upi(checkout: Page | FrameLocator, vpa: str = "payer@okaxis") -> None:
    checkout.locator(tid("tab-upi")).click()
    checkout.locator(tid("upi-vpa")).fill(vpa)
    checkout.locator(tid("pay-button")).click()


def result_line(page: Page) -> Locator:
    return page.locator(tid("demo-result"))


PAID = re.compile(r"^paid (pay_\w+)$")


# --- customers and their saved cards (made through the API, as a merchant's server makes them) ------
MASTERCARD = "5555555555554444"


def customer(api: Api) -> dict[str, Any]:
    """A customer with an address of its own (the dashboard test searches by it)."""
    return api.created(
        "/api/v1/customers", {"name": "Meera Iyer", "email": f"meera-{uuid.uuid4().hex[:10]}@example.com"}
    )


def saved_card(api: Api, customer_id: str, number: str = MASTERCARD) -> dict[str, Any]:
    """A card saved to the customer through the API (the merchant's own page saved it earlier)."""
    details = {
        "number": number,
        "expiry_month": 8,
        "expiry_year": 2032,
        "cvv": "123",
        "holder_name": "Meera Iyer",
    }
    return api.created("/api/v1/payment_methods", {"type": "card", "card": details, "customer": customer_id})
