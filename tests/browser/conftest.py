"""Browser tests: Playwright (Python) driving Debian's Chromium against the gateway on localcloud."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_shop import start as start_demo_shop
from localcloud.runtime import LocalCloud
from paygate_cli.local import local_parameters
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, PRODUCT, ROOT
from tests.integration.gateway.client import SEED_KEY, Api

# Assertions wait up to 10 s (Playwright's default is 5): CI is a shared 2-core machine on which the
# gateway, its jobs and Chromium all run at once.
expect.set_options(timeout=10_000)
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="package")
def gateway() -> Iterator[LocalCloud]:
    params = local_parameters(PRODUCT)
    # a 3-D Secure challenge left alone fails after 15 s, not 10 minutes (test_three_d_secure.py)
    params["ChallengeTimeoutSeconds"] = "15"
    with LocalCloud(PRODUCT, port=0, stack_name="paygate", parameters=params) as running:
        yield running


@pytest.fixture(scope="package")
def api(gateway: LocalCloud) -> Api:
    return Api.with_key(gateway.url, *SEED_KEY)


@pytest.fixture(scope="package")
def demo_shop(gateway: LocalCloud) -> Iterator[str]:
    """The sample merchant site on its own origin (another port); yields its page URL."""
    server, url = start_demo_shop(gateway.url)
    yield url
    server.stop()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile per test: no cookies or storage carried between tests."""
    fresh = browser.new_context(viewport={"width": 1280, "height": 900})
    fresh.set_default_timeout(15_000)
    yield fresh
    fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def dashboard_login(page: Page, base: str, email: str, password: str) -> None:
    """Log in to the dashboard at ``base`` and wait for the signed-in shell."""
    page.goto(f"{base}/dashboard")
    page.locator('[data-test-id="login-email"]').fill(email)
    page.locator('[data-test-id="login-password"]').fill(password)
    page.locator('[data-test-id="login-submit"]').click()
    expect(page.locator('[data-test-id="merchant-name"]')).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot under test-artifacts/ (git-ignored); the README's copies live in docs/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
