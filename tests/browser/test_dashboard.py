"""The merchant dashboard in Chromium against the gateway on localcloud: login, overview, transactions,
refunds, webhook logs with retry, credentials, and one merchant never seeing another's data."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from localcloud.runtime import LocalCloud
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import dashboard_login, screenshot
from tests.helpers import wait_for
from tests.integration.gateway.client import ADMIN_KEY, SEED_EMAIL, SEED_PASSWORD, Api
from tests.integration.gateway.receiver import Receiver, start_receiver

SLOW = 30_000  # ms: a webhook's second attempt waits 5 s of the test schedule, then the log refreshes


def tid(scope: Page | Locator, name: str) -> Locator:
    return scope.locator(f'[data-test-id="{name}"]')


@pytest.fixture(scope="module")
def admin(gateway: LocalCloud) -> Api:
    return Api(gateway.url, {"Authorization": f"Bearer {ADMIN_KEY}"})


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


def new_merchant(admin: Api, gateway: LocalCloud, name: str) -> dict[str, Any]:
    """A merchant with a dashboard password; adds its email, password and a test-key Api."""
    email = f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[:8]}@example.com"
    password = f"pw-{uuid.uuid4().hex}"
    merchant = admin.created("/api/v1/admin/merchants", {"name": name, "email": email, "password": password})
    key = next(k for k in merchant["keys"] if k["mode"] == "test")
    api = Api.with_key(gateway.url, key["key_id"], key["key_secret"])
    return {**merchant, "email": email, "password": password, "api": api, "test_key": key}


def login(page: Page, gateway: LocalCloud, email: str, password: str) -> None:
    dashboard_login(page, gateway.url, email, password)


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def test_a_wrong_password_is_refused(page: Page, gateway: LocalCloud) -> None:
    page.goto(f"{gateway.url}/dashboard")
    tid(page, "login-email").fill(SEED_EMAIL)
    tid(page, "login-password").fill("not-the-password")
    tid(page, "login-submit").click()
    expect(tid(page, "login-error")).to_be_visible()
    expect(tid(page, "login-error")).not_to_be_empty()
    expect(tid(page, "merchant-name")).to_be_hidden()
    assert not [c for c in page.context.cookies() if c["name"] == "paygate_session"]


def test_overview_shows_the_numbers_and_the_chart_then_logout_ends_the_session(
    page: Page, gateway: LocalCloud, api: Api
) -> None:
    api.paid(amount=25_000)
    login(page, gateway, SEED_EMAIL, SEED_PASSWORD)
    expect(tid(page, "merchant-name")).to_have_text("Test Merchant")
    expect(page.locator(".mode-badge")).to_have_text("Test mode")
    count = tid(page, "overview-count")
    expect(count).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(tid(page, "overview-amount")).to_have_text(re.compile(r"^₹[\d,]+\.\d{2}$"))
    expect(tid(page, "overview-success-rate")).to_have_text(re.compile(r"^\d{1,3}\.\d%$"))
    chart = tid(page, "overview-chart")
    expect(chart).to_be_visible()
    assert chart.evaluate("el => el.tagName.toLowerCase()") == "svg"
    expect(chart.locator(".chart-bars rect")).to_have_count(30)
    assert chart.locator("circle.rate-dot").count() >= 1  # today has payments, so a rate
    expect(chart.locator("text", has_text="Success rate (%)")).to_have_count(1)
    screenshot(page, "dashboard-overview")

    tid(page, "logout-button").click()
    expect(tid(page, "login-email")).to_be_visible()
    page.reload()
    expect(tid(page, "login-email")).to_be_visible()  # the session is gone, not just hidden
    expect(tid(page, "merchant-name")).to_be_hidden()


def test_transactions_list_filters_and_search(page: Page, gateway: LocalCloud, api: Api) -> None:
    payment = api.paid(amount=12_345, method={"method": "upi", "vpa": "buyer@okaxis"})
    assert payment["status"] == "success"
    login(page, gateway, SEED_EMAIL, SEED_PASSWORD)
    tid(page, "nav-transactions").click()
    row = page.locator(f'[data-test-id="transaction-row"][data-id="{payment["id"]}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("₹123.45")
    expect(row.locator(".badge")).to_have_text("success")
    expect(tid(page, "transactions-table")).to_be_visible()
    screenshot(page, "dashboard-transactions")

    # Filters: today's successful UPI payments include it; failed ones do not.
    tid(page, "transactions-filter-status").select_option("success")
    tid(page, "transactions-filter-method").select_option("upi")
    tid(page, "transactions-filter-from").fill(today())
    tid(page, "transactions-filter-to").fill(today())
    tid(page, "transactions-apply").click()
    expect(page).to_have_url(re.compile(r"status=success"))
    expect(row).to_be_visible()
    tid(page, "transactions-filter-status").select_option("failed")
    tid(page, "transactions-apply").click()
    expect(page.locator(".empty-row")).to_be_visible()
    expect(row).to_have_count(0)

    # Search by order id lists its payment; by payment id opens the detail.
    tid(page, "transactions-search").fill(payment["order_id"])
    tid(page, "transactions-search").press("Enter")
    expect(tid(page, "transaction-row")).to_have_count(1)
    expect(row).to_be_visible()
    tid(page, "transactions-search").fill(payment["id"])
    tid(page, "transactions-search").press("Enter")
    expect(tid(page, "payment-detail")).to_contain_text(payment["id"])
    expect(tid(page, "payment-status")).to_have_text("success")


def test_pagination_pages_through_ten_at_a_time(page: Page, gateway: LocalCloud, admin: Api) -> None:
    shop = new_merchant(admin, gateway, "Paging Shop")
    ids = [shop["api"].payment(shop["api"].order(1000 + i)["id"])["id"] for i in range(12)]
    login(page, gateway, shop["email"], shop["password"])
    tid(page, "nav-transactions").click()
    expect(tid(page, "transaction-row")).to_have_count(10)
    expect(tid(page, "transactions-prev")).to_be_disabled()
    first_page = tid(page, "transaction-row").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert first_page == ids[::-1][:10]  # newest first
    tid(page, "transactions-next").click()
    expect(tid(page, "transaction-row")).to_have_count(2)
    expect(tid(page, "transactions-next")).to_be_disabled()
    tid(page, "transactions-prev").click()
    expect(tid(page, "transaction-row")).to_have_count(10)


def test_refund_a_payment_from_its_detail_view(page: Page, gateway: LocalCloud, api: Api) -> None:
    payment = api.paid(amount=20_000)
    login(page, gateway, SEED_EMAIL, SEED_PASSWORD)
    page.goto(f"{gateway.url}/dashboard#/transactions/{payment['id']}")
    expect(tid(page, "payment-status")).to_have_text("success")
    expect(tid(page, "payment-detail")).to_contain_text("₹200.00")
    # where the payment went and why: its connector call and the routing trace in words
    attempt = tid(page, "attempt-row")
    expect(attempt).to_have_count(1)
    expect(attempt).to_contain_text("simulator")
    expect(attempt).to_contain_text("succeeded")
    expect(tid(page, "routing-trace")).to_contain_text("no routing configuration: the built-in simulator")

    # More decimals than INR has: refused in the page, nothing sent.
    tid(page, "refund-amount").fill("10.505")
    tid(page, "refund-submit").click()
    expect(tid(page, "refund-result")).to_contain_text("at most 2 decimal places")
    assert api.get(f"/api/v1/payments/{payment['id']}/refunds").json()["items"] == []

    tid(page, "refund-amount").fill("10.50")
    tid(page, "refund-submit").click()
    expect(tid(page, "refund-result")).to_contain_text("rfnd_")
    expect(tid(page, "refund-result")).to_contain_text("₹10.50")
    refunds = api.get(f"/api/v1/payments/{payment['id']}/refunds").json()["items"]
    assert [r["amount"] for r in refunds] == [1050]
    row = page.locator(f'[data-test-id="refund-row"][data-id="{refunds[0]["id"]}"]')
    expect(row).to_be_visible()
    expect(row.locator(".badge")).to_have_text("processed", timeout=SLOW)  # the page follows it

    # More than is left, sent with Enter from the field: the API's error is shown, and the refresh
    # that follows redraws the refunds but leaves the form, and the focus, where they were.
    row.evaluate("row => (row.closest('table').dataset.old = '1')")
    tid(page, "refund-amount").fill("500")
    tid(page, "refund-amount").press("Enter")
    expect(tid(page, "refund-result")).to_contain_text("exceeds")
    page.wait_for_function(
        "() => !document.querySelector('[data-test-id=refund-row]').closest('table').dataset.old"
    )
    assert page.evaluate("document.activeElement.id") == "refund-amount"
    expect(tid(page, "refund-amount")).to_have_value("500")
    assert len(api.get(f"/api/v1/payments/{payment['id']}/refunds").json()["items"]) == 1

    tid(page, "nav-refunds").click()
    expect(page.locator(f'[data-test-id="refund-row"][data-id="{refunds[0]["id"]}"]')).to_be_visible()


def test_webhook_log_shows_a_delivery_and_retry_makes_a_new_attempt(
    page: Page, gateway: LocalCloud, admin: Api, receiver: Receiver
) -> None:
    shop = new_merchant(admin, gateway, "Hook Shop")
    path = f"/hooks/{uuid.uuid4().hex}"
    receiver.scripts[path] = [500]  # the first attempt fails, the second succeeds
    login(page, gateway, shop["email"], shop["password"])
    tid(page, "nav-webhooks").click()
    expect(tid(page, "webhook-secret")).not_to_contain_text(shop["webhook_secret"])  # masked
    page.get_by_role("button", name="Show").click()
    expect(tid(page, "webhook-secret")).to_have_text(shop["webhook_secret"])
    expect(tid(page, "webhook-test")).to_be_disabled()  # no URL yet
    tid(page, "webhook-url").fill(receiver.url + path)
    tid(page, "webhook-url-save").click()
    expect(page.get_by_text("Webhook URL saved.")).to_be_visible()
    tid(page, "webhook-test").click()
    link = page.locator('[data-test-id="webhook-test-link"]')
    expect(link).to_have_text(re.compile(r"^whd_"))
    delivery_id = link.inner_text()

    tid(page, "nav-webhook-logs").click()
    row = page.locator(f'[data-test-id="webhook-log-row"][data-id="{delivery_id}"]')
    expect(row).to_contain_text("ping")
    expect(row).to_contain_text(receiver.url + path)
    expect(row.locator(".badge").first).to_have_text("succeeded", timeout=SLOW)  # auto-refresh
    screenshot(page, "dashboard-webhook-logs")

    row.click()
    detail = tid(page, "webhook-detail")
    expect(detail).to_contain_text(delivery_id)
    attempts = tid(page, "webhook-attempt")
    expect(attempts).to_have_count(2)
    expect(attempts.nth(1)).to_contain_text("500")  # oldest last
    expect(attempts.nth(1).locator("pre")).to_have_text("status 500")
    expect(attempts.nth(0)).to_contain_text("200")
    assert len(receiver.at(path)) == 2

    tid(page, "webhook-retry").click()
    expect(attempts).to_have_count(3, timeout=SLOW)  # the detail refreshes while pending
    expect(tid(page, "webhook-status")).to_have_text("succeeded", timeout=SLOW)
    wait_for(lambda: len(receiver.at(path)) == 3, what="the retried delivery at the receiver")
    screenshot(page, "dashboard-webhook-detail")


def test_regenerate_secret_shows_the_new_one_once_and_the_old_stops_working(
    page: Page, gateway: LocalCloud, admin: Api
) -> None:
    shop = new_merchant(admin, gateway, "Key Shop")
    assert shop["api"].get("/api/v1/payments").status_code == 200
    login(page, gateway, shop["email"], shop["password"])
    tid(page, "nav-credentials").click()
    expect(tid(page, "credentials-key-id")).to_have_text(shop["test_key"]["key_id"])
    expect(page.get_by_text(shop["test_key"]["key_secret"])).to_have_count(0)
    tid(page, "credentials-regenerate").click()
    expect(page.get_by_text("stops working immediately")).to_be_visible()
    tid(page, "credentials-regenerate-confirm").click()
    secret = tid(page, "credentials-new-secret")
    expect(secret).to_have_text(re.compile(r"^secret_test_\w+"))
    key_id = tid(page, "credentials-key-id").inner_text()
    new = Api.with_key(gateway.url, key_id, secret.inner_text())
    assert new.get("/api/v1/payments").status_code == 200
    assert shop["api"].get("/api/v1/payments").status_code == 401
    page.reload()
    expect(tid(page, "credentials-key-id")).to_have_text(key_id)
    expect(tid(page, "credentials-new-secret")).to_have_count(0)  # shown once


def test_another_merchant_sees_none_of_the_first_merchants_data(
    page: Page, gateway: LocalCloud, admin: Api, api: Api, receiver: Receiver
) -> None:
    payment = api.paid()
    first = new_merchant(admin, gateway, "First Shop")
    endpoint = first["api"].created(
        "/api/v1/webhook_endpoints", {"url": receiver.url + "/first", "enabled_events": ["ping"]}
    )
    delivery = first["api"].created(f"/api/v1/webhook_endpoints/{endpoint['id']}/test", {})
    first_payment = first["api"].paid()
    other = new_merchant(admin, gateway, "Other Shop")

    login(page, gateway, other["email"], other["password"])
    expect(tid(page, "merchant-name")).to_have_text("Other Shop")
    expect(tid(page, "overview-count")).to_have_text("0")
    expect(tid(page, "overview-chart")).to_be_visible()  # all-zero days still draw
    tid(page, "nav-transactions").click()
    expect(page.locator(".empty-row")).to_be_visible()
    expect(tid(page, "transaction-row")).to_have_count(0)
    tid(page, "nav-webhook-logs").click()
    expect(page.locator(".empty-row")).to_be_visible()
    expect(tid(page, "webhook-log-row")).to_have_count(0)
    tid(page, "nav-refunds").click()
    expect(page.locator(".empty-row")).to_be_visible()

    for pay_id in (payment["id"], first_payment["id"]):
        page.goto(f"{gateway.url}/dashboard#/transactions/{pay_id}")
        expect(tid(page, "payment-not-found")).to_be_visible()
        expect(tid(page, "payment-detail")).to_have_count(0)
    page.goto(f"{gateway.url}/dashboard#/webhook-logs/{delivery['id']}")
    expect(tid(page, "webhook-not-found")).to_be_visible()
    expect(tid(page, "webhook-retry")).to_have_count(0)
    page.goto(f"{gateway.url}/dashboard#/transactions?order={first_payment['order_id']}")
    expect(page.get_by_role("alert")).to_contain_text("was not found")
    expect(tid(page, "transaction-row")).to_have_count(0)


def test_narrow_screen_collapses_the_nav(page: Page, gateway: LocalCloud) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, gateway, SEED_EMAIL, SEED_PASSWORD)
    expect(tid(page, "overview-chart")).to_be_visible()
    expect(tid(page, "nav-transactions")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    tid(page, "nav-transactions").click()
    expect(tid(page, "transactions-table")).to_be_visible()
    expect(tid(page, "nav-transactions")).to_be_hidden()  # the menu closes on navigation
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways ({width}px)"


def test_docs_show_the_sdk_snippet_for_this_gateway(page: Page, gateway: LocalCloud) -> None:
    login(page, gateway, SEED_EMAIL, SEED_PASSWORD)
    tid(page, "nav-docs").click()
    docs = tid(page, "docs-content")
    origin = page.evaluate("location.origin")
    expect(docs).to_contain_text(f'<script src="{origin}/sdk/checkout.js"></script>')
    expect(docs).to_contain_text('key: "key_test_abc123"')
    expect(docs).to_contain_text("Webhook(")
    expect(docs).to_contain_text("X-Webhook-Signature")
