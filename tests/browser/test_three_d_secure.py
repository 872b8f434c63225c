"""3-D Secure through the demo shop's SDK modal, in Chromium (issue 17's must-show): the challenged card's
checkout goes to the hosted challenge inside the modal's iframe; completed -> success (the shop's
onSuccess), failed -> failed (onFailure), left alone -> timed out after the browser package's short
ChallengeTimeoutSeconds (conftest.py) and the payer is sent back to the checkout's failure.

The payment left alone starts first (a module fixture, its own browser context), so its wait is spent
while the other two are driven, each at once (well inside the 15 s)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect

from tests.browser.checkout_page import PAID, fill_card, open_modal, result_line, tid
from tests.integration.gateway.client import Api

ALWAYS = "4000002500003155"
CHALLENGED = "4000000000003220"
FAILED = re.compile(r"^failed: ")
TIMEOUT_WAIT_MS = 60_000  # 15 s from the payment's creation, the timeout queue's poll, the pages' polls


def _pay(page: Page, demo_shop: str, number: str) -> FrameLocator:
    checkout = open_modal(page, demo_shop)
    fill_card(checkout, number=number)
    checkout.locator(tid("pay-button")).click()
    return checkout


@pytest.fixture(scope="module")
def alone(browser: Browser, demo_shop: str) -> Iterator[tuple[Page, FrameLocator]]:
    """A shopper who pays by a challenged card and then does nothing."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    checkout = _pay(page, demo_shop, ALWAYS)
    # the challenge is seen here, at once, not by the test: on a loaded machine (two workers) the
    # other two tests may outlast the 15 s, and the page has then already moved on to the failure
    expect(checkout.locator(tid("challenge-merchant-name"))).to_have_text("Test Merchant")
    yield page, checkout
    context.close()


def _challenge(checkout: FrameLocator) -> None:
    """The iframe went to the hosted challenge, which shows the merchant and the amount."""
    expect(checkout.locator(tid("challenge-ask"))).to_be_visible()
    expect(checkout.locator(tid("challenge-merchant-name"))).to_have_text("Test Merchant")
    expect(checkout.locator(tid("challenge-amount"))).to_have_text("₹499.00")


def _payment(api: Api, page: Page, pattern: re.Pattern[str] = PAID) -> dict[str, Any]:
    """The shop's last order's payment, by the API (the shop's line names it on success)."""
    text = result_line(page).inner_text()
    match = pattern.match(text)
    assert match is not None, text
    return api.get(f"/api/v1/payments/{match.group(1)}").json()


def test_a_challenge_completed_in_the_modal_succeeds(
    alone: Any, page: Page, demo_shop: str, api: Api
) -> None:
    checkout = _pay(page, demo_shop, ALWAYS)
    _challenge(checkout)
    checkout.locator(tid("challenge-complete")).click()
    # back in the checkout inside the modal: the success, then the shop's onSuccess
    expect(result_line(page)).to_have_text(PAID)
    payment = _payment(api, page)
    assert payment["status"] == "success"
    assert payment["authentication"]["status"] == "authenticated"
    assert (payment["authentication"]["eci"], payment["authentication"]["version"]) == ("05", "2.2.0")


def _failed(api: Api, code: str) -> list[dict[str, Any]]:
    """The merchant's failed payments with ``code``, newest first (onFailure names no payment id)."""
    listing = api.get("/api/v1/payments", params={"status": "failed", "limit": 50}).json()["items"]
    return [payment for payment in listing if payment["error_code"] == code]


def test_a_failed_challenge_fails_in_the_modal(alone: Any, page: Page, demo_shop: str, api: Api) -> None:
    checkout = _pay(page, demo_shop, CHALLENGED)
    _challenge(checkout)
    checkout.locator(tid("challenge-fail")).click()
    expect(checkout.locator(tid("state-failure"))).to_be_visible()
    expect(result_line(page)).to_have_text(FAILED)  # the shop's onFailure ran
    failed = _failed(api, "AUTHENTICATION_FAILED")
    assert failed and failed[0]["authentication"]["status"] == "failed"
    assert failed[0]["card"]["last4"] == "3220"


def test_a_challenge_left_alone_times_out(alone: tuple[Page, FrameLocator], api: Api) -> None:
    page, checkout = alone  # its challenge was shown (the fixture)
    # nobody clicks: the gateway fails it after ChallengeTimeoutSeconds, the challenge page notices and
    # sends the payer back to the checkout, which shows the failure and tells the shop
    expect(checkout.locator(tid("state-failure"))).to_be_visible(timeout=TIMEOUT_WAIT_MS)
    expect(result_line(page)).to_have_text(FAILED)
    timed_out = _failed(api, "AUTHENTICATION_TIMEOUT")
    assert timed_out and timed_out[0]["authentication"]["status"] == "timed_out"
    assert timed_out[0]["card"]["last4"] == "3155"
