"""The dashboard's Customers page in Chromium (issue 18, item 6): search by email or external id, the
detail with the customer's saved cards and payments, and another merchant finding none of it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from localcloud.runtime import LocalCloud
from playwright.sync_api import Page, expect

from tests.browser.checkout_page import saved_card, tid
from tests.browser.conftest import dashboard_login, screenshot
from tests.integration.gateway.client import ADMIN_KEY, SEED_EMAIL, SEED_PASSWORD, Api


@pytest.fixture(scope="module")
def admin(gateway: LocalCloud) -> Api:
    return Api(gateway.url, {"Authorization": f"Bearer {ADMIN_KEY}"})


def customer_with_a_paid_card(api: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A customer whose saved (and default) card paid an order: (customer, method, payment)."""
    tag = uuid.uuid4().hex[:10]
    customer = api.created(
        "/api/v1/customers",
        {"name": "Ravi Menon", "email": f"ravi-{tag}@example.com", "external_id": f"crm-{tag}"},
    )
    method = saved_card(api, customer["id"])
    changed = api.patch(f"/api/v1/customers/{customer['id']}", {"default_payment_method": method["id"]})
    assert changed.status_code == 200, changed.text
    order = api.order(7700, customer=customer["id"])
    made = api.created("/api/v1/payments", {"order_id": order["id"], "payment_method": method["id"]})
    payment = api.settled(f"/api/v1/payments/{made['id']}")
    assert payment["status"] == "success"
    return customer, method, payment


def search(page: Page, by: str, value: str) -> None:
    page.locator(tid("customers-search-by")).select_option(by)
    page.locator(tid("customers-search")).fill(value)
    page.locator(tid("customers-search-submit")).click()


def test_find_a_customer_by_email_and_see_its_card_and_payment(
    page: Page, gateway: LocalCloud, api: Api
) -> None:
    # Given a customer with a saved default card that paid once
    customer, method, payment = customer_with_a_paid_card(api)
    dashboard_login(page, gateway.url, SEED_EMAIL, SEED_PASSWORD)
    page.locator(tid("nav-customers")).click()
    expect(page.locator(tid("customers-table"))).to_be_visible()
    # When the merchant searches by the email (in another case: the search ignores case)
    search(page, "email", customer["email"].upper())
    # Then exactly that customer is listed
    rows = page.locator(tid("customer-row"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-id", customer["id"])
    expect(rows.first).to_contain_text(customer["email"])
    # When they open it
    rows.first.click()
    detail = page.locator(tid("customer-detail"))
    expect(detail).to_contain_text("Ravi Menon")
    expect(detail).to_contain_text(customer["external_id"])
    # Then its card shows with network, last4, expiry, a shortened fingerprint, marked the default
    card = page.locator(f'{tid("payment-method-row")}[data-id="{method["id"]}"]')
    expect(card).to_contain_text("Mastercard")
    expect(card).to_contain_text("•••• 4444")
    expect(card).to_contain_text("08/2032")
    fingerprint = method["card"]["fingerprint"]
    expect(card.locator(f'[title="{fingerprint}"]')).to_have_text(f"{fingerprint[:12]}…")
    expect(card.locator(tid("default-payment-method"))).to_have_text("Default")
    # And its payment, which links to the payment's own view
    row = page.locator(f'{tid("customer-payment-row")}[data-id="{payment["id"]}"]')
    expect(row).to_contain_text("₹77.00")
    expect(row).to_contain_text("success")
    expect(row).to_contain_text(method["id"])
    screenshot(page, "dashboard-customer")
    row.get_by_role("link", name=payment["id"]).click()
    expect(page.locator(tid("payment-detail"))).to_contain_text(payment["id"])


def test_search_by_external_id_and_what_finds_nothing(page: Page, gateway: LocalCloud, api: Api) -> None:
    customer, _, _ = customer_with_a_paid_card(api)
    dashboard_login(page, gateway.url, SEED_EMAIL, SEED_PASSWORD)
    page.goto(f"{gateway.url}/dashboard#/customers")
    search(page, "external_id", customer["external_id"])
    expect(page.locator(tid("customer-row"))).to_have_count(1)
    expect(page.locator(tid("customer-row")).first).to_have_attribute("data-id", customer["id"])
    # the search is exact: a part of the id finds nothing
    search(page, "external_id", customer["external_id"][:-2])
    expect(page.locator(tid("customers-table"))).to_contain_text("No customer matches.")
    # a half email is refused before asking
    search(page, "email", "ravi@")
    expect(page.get_by_role("alert")).to_contain_text("whole email address")
    # an unknown id
    page.goto(f"{gateway.url}/dashboard#/customers/cus_00000000000000")
    expect(page.locator(tid("customer-not-found"))).to_be_visible()
    # the docs tell the merchant where the customer goes: on the order
    page.locator(tid("nav-docs")).click()
    expect(page.locator(tid("docs-content"))).to_contain_text('"customer": "cus_…"')


def test_another_merchant_finds_none_of_it(page: Page, gateway: LocalCloud, api: Api, admin: Api) -> None:
    # Given the seeded merchant's customer, and another merchant signed in
    customer, _, _ = customer_with_a_paid_card(api)
    email = f"other-{uuid.uuid4().hex[:8]}@example.com"
    password = f"pw-{uuid.uuid4().hex}"
    admin.created("/api/v1/admin/merchants", {"name": "Other Shop", "email": email, "password": password})
    dashboard_login(page, gateway.url, email, password)
    # When it searches for the customer, or opens its address
    page.goto(f"{gateway.url}/dashboard#/customers")
    search(page, "email", customer["email"])
    # Then nothing is found
    expect(page.locator(tid("customers-table"))).to_contain_text("No customer matches.")
    page.goto(f"{gateway.url}/dashboard#/customers/{customer['id']}")
    expect(page.locator(tid("customer-not-found"))).to_be_visible()
