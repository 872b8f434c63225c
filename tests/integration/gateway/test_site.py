"""web/ served as the CloudFront distribution of template.yaml serves it: S3 default, /api/* to the API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from localcloud.runtime import LocalCloud
from playwright.sync_api import sync_playwright

from tests.helpers import CHROMIUM, CHROMIUM_ARGS


def test_checkout_dashboard_and_sdk_come_from_the_bucket(gateway: LocalCloud, root) -> None:
    for path, content_type, source in (
        ("/checkout", "text/html", "web/checkout/index.html"),
        ("/checkout/", "text/html", "web/checkout/index.html"),
        ("/dashboard", "text/html", "web/dashboard/index.html"),
        ("/sdk/checkout.js", "javascript", "web/sdk/checkout.js"),
    ):
        response = requests.get(gateway.url + path, timeout=10)
        assert response.status_code == 200, path
        assert content_type in response.headers["Content-Type"], path
        assert response.content == (root / source).read_bytes(), path


def test_missing_file_is_a_404_and_api_paths_go_to_the_api(gateway: LocalCloud) -> None:
    assert requests.get(f"{gateway.url}/nope.js", timeout=10).status_code in (403, 404)
    # the demo shop is a merchant's site (SyncExclude): not on the gateway's origin
    assert requests.get(f"{gateway.url}/demo-shop/index.html", timeout=10).status_code in (403, 404)
    unknown_api = requests.get(f"{gateway.url}/api/v1/unknown", timeout=10)
    assert unknown_api.status_code == 403
    assert unknown_api.json() == {"message": "Missing Authentication Token"}


# --- security headers: the distribution's response headers policies (template.yaml), applied ----
def policy_config(gateway: LocalCloud, logical_id: str) -> dict[str, Any]:
    """The policy as the template declares it (intrinsics unresolved)."""
    return gateway.template.resources[logical_id].properties["ResponseHeadersPolicyConfig"]


def test_each_behaviour_of_the_distribution_names_its_headers_policy(gateway: LocalCloud) -> None:
    config = gateway.template.resources["WebDistribution"].properties["DistributionConfig"]
    named = {"default": config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]}
    named |= {b["PathPattern"]: b["ResponseHeadersPolicyId"] for b in config["CacheBehaviors"]}
    assert named == {
        "default": {"Ref": "WebPagesHeadersPolicy"},
        "/api/*": {"Ref": "ApiHeadersPolicy"},
        "/checkout*": {"Ref": "CheckoutHeadersPolicy"},
    }
    pages = policy_config(gateway, "WebPagesHeadersPolicy")["SecurityHeadersConfig"]
    checkout = policy_config(gateway, "CheckoutHeadersPolicy")["SecurityHeadersConfig"]
    api = policy_config(gateway, "ApiHeadersPolicy")["SecurityHeadersConfig"]
    for security in (pages, checkout, api):
        assert security["ContentTypeOptions"]["Override"] is True
        assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    # the dashboard is never framed; the checkout is (the SDK's iframe), so it has no X-Frame-Options
    assert pages["FrameOptions"]["FrameOption"] == "DENY"
    assert "frame-ancestors 'none'" in pages["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "FrameOptions" not in checkout


def test_pages_carry_the_policies_that_localcloud_read_from_the_template(gateway: LocalCloud) -> None:
    deployed = {logical: config for logical, config in gateway.deployed.response_headers_policies.values()}
    csp = {
        name: deployed[name]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
        for name in deployed
        if "ContentSecurityPolicy" in deployed[name]["SecurityHeadersConfig"]
    }
    for path, policy in (
        ("/checkout", "CheckoutHeadersPolicy"),
        ("/checkout/", "CheckoutHeadersPolicy"),
        ("/checkout/checkout.js", "CheckoutHeadersPolicy"),
        ("/dashboard", "WebPagesHeadersPolicy"),
        ("/dashboard/app.js", "WebPagesHeadersPolicy"),
        ("/sdk/checkout.js", "WebPagesHeadersPolicy"),
        ("/missing.html", "WebPagesHeadersPolicy"),  # a 404 of the origin gets them too
    ):
        headers = requests.get(gateway.url + path, timeout=10).headers
        assert headers["Content-Security-Policy"] == csp[policy]["ContentSecurityPolicy"], path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains", path
        assert "Server" not in headers, path
    dashboard = requests.get(f"{gateway.url}/dashboard", timeout=10).headers
    assert dashboard["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in dashboard["Content-Security-Policy"]
    checkout = requests.get(f"{gateway.url}/checkout", timeout=10).headers
    assert "X-Frame-Options" not in checkout
    assert checkout["Referrer-Policy"] == "no-referrer"
    # test mode (paygate local): a merchant's https site, or its http loopback while it integrates
    assert (
        "frame-ancestors https: http://localhost:* http://127.0.0.1:*" in checkout["Content-Security-Policy"]
    )


def test_api_answers_are_nosniff_and_no_store_unless_the_route_caches(gateway: LocalCloud) -> None:
    for path, status in (("/api/v1/health", 200), ("/api/v1/orders", 401), ("/api/v1/nowhere", 403)):
        response = requests.get(gateway.url + path, timeout=10)
        assert response.status_code == status, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Frame-Options"] == "DENY", path
    # Override: false - the route's own Cache-Control stands
    document = requests.get(f"{gateway.url}/api/v1/openapi.json", timeout=10)
    assert document.headers["Cache-Control"] == "max-age=300"
    assert document.headers["X-Content-Type-Options"] == "nosniff"


@contextmanager
def merchant_site(page: str) -> Iterator[str]:
    """A merchant's page on its own origin (another loopback port), as the demo shop serves one."""

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/shop"
    finally:
        server.shutdown()
        server.server_close()


def test_a_merchant_page_frames_the_checkout_but_the_dashboard_refuses(gateway: LocalCloud) -> None:
    # Given: a merchant's page on another origin framing both pages
    shop = (
        f'<iframe id="checkout" src="{gateway.url}/checkout?order_id=order_x"></iframe>'
        f'<iframe id="dashboard" src="{gateway.url}/dashboard"></iframe>'
    )
    with merchant_site(shop) as merchant, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            refusals: list[str] = []
            page.on("console", lambda message: refusals.append(message.text))
            # When: the page and its frames have loaded
            page.goto(merchant, wait_until="load")
            checkout = page.query_selector("#checkout").content_frame()  # type: ignore[union-attr]
            dashboard = page.query_selector("#dashboard").content_frame()  # type: ignore[union-attr]
            # Then: the checkout runs in its frame; the dashboard's frame holds an error page
            assert checkout is not None and dashboard is not None
            assert checkout.url.startswith(f"{gateway.url}/checkout"), refusals
            assert checkout.query_selector("main#checkout") is not None
            assert dashboard.query_selector("#login-form") is None
            assert not dashboard.url.startswith(gateway.url)
            assert any("frame-ancestors 'none'" in text for text in refusals), refusals
        finally:
            browser.close()
