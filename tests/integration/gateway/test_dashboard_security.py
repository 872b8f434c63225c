"""Merchant configuration per mode, dashboard login throttling and sessions, over HTTP.

- The merchant's own webhook URL and secret belong to a mode: a test key (or test-mode session) reads
  and changes the test pair only, live events go to the live URL, test events to the test URL signed
  with the test secret; API keys list and regenerate their own mode's key only.
- The admin's webhook URLs are checked for SSRF by their mode's rules.
- Login: 5 attempts per account and 20 per client IP in 15 minutes, then 429 with Retry-After for
  right and wrong passwords alike; a password change or a suspension ends every session; a suspended
  account answers the same for a right and a wrong password.

Each login test calls from its own loopback source address (127.x.y.z), so the per-IP limit of one
test never meets another's (every other test of the package calls from 127.0.0.1).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from localcloud.runtime import LocalCloud

from tests.helpers import wait_for
from tests.integration.gateway.client import DASHBOARD_HEADER, Api, error_of
from tests.integration.gateway.conftest import keys_of
from tests.integration.gateway.receiver import Receiver, start_receiver
from tests.integration.source_address import api_from

LOGIN = "/api/v1/dashboard/login"
SETTINGS = "/api/v1/dashboard/webhook_settings"
PASSWORD = "security shop password"
NEW_PASSWORD = "security shop new password"
# Public address literals (no DNS here): they pass live-mode URL rules. Nothing listens for them and
# TLS to a bare address cannot verify, so no event body ever leaves this machine.
LIVE_URL = "https://192.88.99.1/paygate-test/live-hook"
OTHER_LIVE_URL = "https://192.88.99.2/paygate-test/live-hook"
ALLOWED = {"webhook_url": "http://127.0.0.1:9/allowed", "live_webhook_url": LIVE_URL}
ACCOUNT_LIMIT, CLIENT_LIMIT, WINDOW = 5, 20, 900
# this module's own range of loopback source addresses (other modules use 127.0.0.1 or their own)
_addresses = (f"127.77.{b}.{c}" for b, c in itertools.product(range(256), range(1, 255)))


def browser(gateway: LocalCloud) -> Api:
    """A dashboard client (header on every request, cookie jar) calling from a source address of its
    own: the sourceIp API Gateway hands the login is that address."""
    return api_from(next(_addresses), gateway.url, DASHBOARD_HEADER)


def login(client: Api, email: str, password: str, mode: str = "test") -> requests.Response:
    return client.post(LOGIN, {"email": email, "password": password, "mode": mode})


def logged_in(gateway: LocalCloud, email: str, password: str = PASSWORD, mode: str = "test") -> Api:
    client = browser(gateway)
    response = login(client, email, password, mode)
    assert response.status_code == 200, response.text
    return client


def new_merchant(admin: Api, **fields: Any) -> dict[str, Any]:
    email = f"sec-{uuid.uuid4().hex[:10]}@example.com"
    created = admin.created("/api/v1/admin/merchants", {"name": "Security Shop", "email": email, **fields})
    return {**created, "email": email}


def key_api(gateway: LocalCloud, merchant: dict[str, Any], mode: str) -> Api:
    return Api.with_key(gateway.url, *keys_of(merchant, mode))


def _verified(received: Any, secret: str) -> str:
    expected = hmac.new(secret.encode(), received.body.encode(), hashlib.sha256).hexdigest()
    assert received.headers["X-Webhook-Signature"] == expected
    return received.body


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


# --- webhook settings belong to a mode ------------------------------------------------------------------
def test_a_test_key_reads_and_changes_only_the_test_webhook_settings(
    gateway: LocalCloud, admin: Api, receiver: Receiver
) -> None:
    # Given a merchant with a URL in each mode
    shop = new_merchant(admin, webhook_url=receiver.url + "/sec-test", live_webhook_url=LIVE_URL)
    test, live = key_api(gateway, shop, "test"), key_api(gateway, shop, "live")
    test_pair = {"webhook_url": receiver.url + "/sec-test", "webhook_secret": shop["webhook_secret"]}
    live_pair = {"webhook_url": LIVE_URL, "webhook_secret": shop["live_webhook_secret"]}
    assert shop["webhook_secret"] != shop["live_webhook_secret"]
    # Then each key reads its own mode's URL and secret, never the other's
    assert test.get(SETTINGS).json() == test_pair
    assert live.get(SETTINGS).json() == live_pair
    # When the test key changes the URL, only the test URL changes
    moved = test.patch(SETTINGS, {"webhook_url": receiver.url + "/sec-test-2"})
    assert moved.status_code == 200 and moved.json()["webhook_secret"] == shop["webhook_secret"]
    assert live.get(SETTINGS).json() == live_pair
    # and a test key cannot clear the live URL either: null clears its own mode's
    assert test.patch(SETTINGS, {"webhook_url": None}).json()["webhook_url"] is None
    assert live.get(SETTINGS).json() == live_pair
    # When the live key changes its URL, the test pair stays
    assert live.patch(SETTINGS, {"webhook_url": OTHER_LIVE_URL}).json()["webhook_url"] == OTHER_LIVE_URL
    assert test.get(SETTINGS).json() == {**test_pair, "webhook_url": None}
    # and a live URL must meet live rules (loopback is test mode's only)
    refused = live.patch(SETTINGS, {"webhook_url": receiver.url + "/x"})
    assert refused.status_code == 400 and error_of(refused)["field"] == "webhook_url"
    assert live.get(SETTINGS).json()["webhook_url"] == OTHER_LIVE_URL


def test_a_sessions_settings_and_me_are_its_modes(
    gateway: LocalCloud, admin: Api, receiver: Receiver
) -> None:
    shop = new_merchant(
        admin, password=PASSWORD, webhook_url=receiver.url + "/sec-me", live_webhook_url=LIVE_URL
    )
    test_session = logged_in(gateway, shop["email"])
    live_session = logged_in(gateway, shop["email"], mode="live")
    assert test_session.get(SETTINGS).json()["webhook_secret"] == shop["webhook_secret"]
    assert live_session.get(SETTINGS).json()["webhook_secret"] == shop["live_webhook_secret"]
    me = "/api/v1/dashboard/me"
    assert test_session.get(me).json()["merchant"]["webhook_url"] == receiver.url + "/sec-me"
    assert live_session.get(me).json()["merchant"]["webhook_url"] == LIVE_URL
    # a test-mode session's PATCH leaves live alone
    assert test_session.patch(SETTINGS, {"webhook_url": None}).status_code == 200
    assert live_session.get(SETTINGS).json()["webhook_url"] == LIVE_URL


def test_events_go_to_their_own_modes_url_signed_with_that_modes_secret(
    gateway: LocalCloud, admin: Api, receiver: Receiver
) -> None:
    # Given a merchant whose test URL is the receiver and whose live URL is elsewhere
    shop = new_merchant(admin, webhook_url=receiver.url + "/sec-own", live_webhook_url=LIVE_URL)
    test, live = key_api(gateway, shop, "test"), key_api(gateway, shop, "live")
    # When an order is created in each mode
    live_order = live.order(4_200)
    test_order = test.order(4_100)
    # Then the test order's event reaches the test URL, signed with the test secret
    received = wait_for(
        lambda: [r for r in receiver.at("/sec-own") if test_order["id"] in r.body], what="the test-mode event"
    )
    _verified(received[0], shop["webhook_secret"])
    # and the live order's delivery goes to the live URL (as the live key's delivery log shows)
    deliveries = wait_for(
        lambda: [
            d
            for d in live.get("/api/v1/webhooks", params={"limit": 100}).json()["items"]
            if d["event_type"] == "order.created"
        ],
        what="the live delivery",
    )
    assert [(d["endpoint_id"], d["url"], d["mode"]) for d in deliveries] == [("default", LIVE_URL, "live")]
    # while the test URL never got the live order, and the test log has no live delivery
    assert all(live_order["id"] not in r.body for r in receiver.at("/sec-own"))
    test_log = test.get("/api/v1/webhooks", params={"limit": 100}).json()["items"]
    assert {d["mode"] for d in test_log} == {"test"} and all(d["url"] != LIVE_URL for d in test_log)


def test_api_keys_see_and_regenerate_their_own_mode_only(gateway: LocalCloud, admin: Api) -> None:
    shop = new_merchant(admin, password=PASSWORD)
    test, live = key_api(gateway, shop, "test"), key_api(gateway, shop, "live")
    # A key lists its own mode's key id only; a session (the owner) lists both ids
    assert [k["key_id"] for k in test.get("/api/v1/dashboard/credentials").json()["keys"]] == [
        keys_of(shop, "test")[0]
    ]
    assert [k["key_id"] for k in live.get("/api/v1/dashboard/credentials").json()["keys"]] == [
        keys_of(shop, "live")[0]
    ]
    test_session = logged_in(gateway, shop["email"])
    listed = test_session.get("/api/v1/dashboard/credentials").json()["keys"]
    assert [k["mode"] for k in listed] == ["test", "live"]
    # A test-mode session cannot regenerate the live key (and the live key keeps working)
    refused = test_session.post("/api/v1/dashboard/credentials/regenerate", {"mode": "live"})
    assert refused.status_code == 403 and error_of(refused)["field"] == "mode"
    assert live.get("/api/v1/orders").status_code == 200


# --- the admin's webhook URLs are checked -------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "url"),
    [
        ("webhook_url", "http://10.1.2.3/hook"),
        ("webhook_url", "http://169.254.169.254/latest/meta-data/"),
        ("webhook_url", "http://[::ffff:192.168.0.1]/hook"),
        ("live_webhook_url", "https://127.0.0.1/hook"),
        ("live_webhook_url", "https://169.254.169.254/latest/meta-data/"),
        ("live_webhook_url", "http://192.88.99.1/hook"),  # live mode: https only
    ],
)
def test_the_admin_cannot_point_a_webhook_at_a_private_address(admin: Api, field: str, url: str) -> None:
    # Create: 400 naming the field, and no merchant
    email = f"ssrf-{uuid.uuid4().hex[:10]}@example.com"
    created = admin.post("/api/v1/admin/merchants", {"name": "SSRF", "email": email, field: url})
    assert created.status_code == 400 and error_of(created)["field"] == field, created.text
    listed = admin.get("/api/v1/admin/merchants", params={"limit": 100}).json()["items"]
    assert email not in {m["email"] for m in listed}
    # Update: 400 naming the field, and nothing changed (not even the name sent with it)
    shop = new_merchant(admin)
    updated = admin.patch(f"/api/v1/admin/merchants/{shop['id']}", {"name": "Renamed", field: url})
    assert updated.status_code == 400 and error_of(updated)["field"] == field, updated.text
    listed = admin.get("/api/v1/admin/merchants", params={"limit": 100}).json()["items"]
    now = next(m for m in listed if m["id"] == shop["id"])
    assert (now["name"], now[field]) == ("Security Shop", None)
    # while an allowed URL of that mode is taken
    allowed = admin.patch(f"/api/v1/admin/merchants/{shop['id']}", {field: ALLOWED[field]})
    assert allowed.status_code == 200 and allowed.json()[field] == ALLOWED[field], allowed.text


# --- login throttling -----------------------------------------------------------------------------------
def test_the_sixth_attempt_is_429_and_then_the_right_password_is_refused_too(
    gateway: LocalCloud, admin: Api
) -> None:
    # Given a merchant, and 5 wrong passwords for it from one client
    shop = new_merchant(admin, password=PASSWORD)
    attacker = browser(gateway)
    for _ in range(ACCOUNT_LIMIT):
        assert login(attacker, shop["email"], "not the password").status_code == 401
    # When a 6th comes, wrong or right, from this client or another
    wrong = login(attacker, shop["email"], "not the password")
    right = login(attacker, shop["email"], PASSWORD)
    elsewhere = login(browser(gateway), shop["email"], PASSWORD)
    # Then each is the same 429 with Retry-After within the window, and no session
    for response in (wrong, right, elsewhere):
        assert response.status_code == 429, response.text
        assert error_of(response) == error_of(wrong) and error_of(wrong)["code"] == "TOO_MANY_ATTEMPTS"
        assert 0 < int(response.headers["Retry-After"]) <= WINDOW
        assert "Set-Cookie" not in response.headers
    # and an unknown email is locked the same way (the limit tells nothing about who exists)
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    for _ in range(ACCOUNT_LIMIT):
        assert login(attacker, nobody, "not the password").status_code == 401
    assert error_of(login(attacker, nobody, "not the password")) == error_of(wrong)
    # while another account from the same client still logs in
    other = new_merchant(admin, password=PASSWORD)
    assert login(attacker, other["email"], PASSWORD).status_code == 200


def test_one_client_is_limited_across_accounts_and_another_client_is_not(
    gateway: LocalCloud, admin: Api
) -> None:
    # Given 20 wrong passwords from one client, spread over 4 emails (5 each)
    sprayer = browser(gateway)
    emails = [f"spray-{n}-{uuid.uuid4().hex[:6]}@example.com" for n in range(CLIENT_LIMIT // ACCOUNT_LIMIT)]
    for email in emails:
        for _ in range(ACCOUNT_LIMIT):
            assert login(sprayer, email, "a guessed password").status_code == 401
    # When that client then logs in to an account it never tried, with the right password
    shop = new_merchant(admin, password=PASSWORD)
    refused = login(sprayer, shop["email"], PASSWORD)
    # Then it is refused, while the owner from another client logs in (the account was not counted)
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= WINDOW
    assert login(browser(gateway), shop["email"], PASSWORD).status_code == 200


# --- sessions and suspension ------------------------------------------------------------------------------
def test_a_password_change_ends_every_session(gateway: LocalCloud, admin: Api) -> None:
    # Given a test-mode and a live-mode session
    shop = new_merchant(admin, password=PASSWORD)
    sessions = [logged_in(gateway, shop["email"]), logged_in(gateway, shop["email"], mode="live")]
    assert all(s.get("/api/v1/dashboard/me").status_code == 200 for s in sessions)
    # When the admin sets a new password
    changed = admin.patch(f"/api/v1/admin/merchants/{shop['id']}", {"password": NEW_PASSWORD})
    assert changed.status_code == 200
    # Then both sessions are over everywhere, the old password is refused and the new one logs in
    for session in sessions:
        for path in ("/api/v1/dashboard/me", "/api/v1/payments", SETTINGS):
            assert session.get(path).status_code == 401, path
    assert login(browser(gateway), shop["email"], PASSWORD).status_code == 401
    fresh = logged_in(gateway, shop["email"], NEW_PASSWORD)
    assert fresh.get("/api/v1/dashboard/me").status_code == 200
    # and a rename leaves sessions alone
    assert admin.patch(f"/api/v1/admin/merchants/{shop['id']}", {"name": "Renamed"}).status_code == 200
    assert fresh.get("/api/v1/dashboard/me").json()["merchant"]["name"] == "Renamed"


def test_a_suspended_account_answers_a_right_and_a_wrong_password_the_same(
    gateway: LocalCloud, admin: Api
) -> None:
    # Given a suspended merchant that had a session
    shop = new_merchant(admin, password=PASSWORD)
    session = logged_in(gateway, shop["email"])
    path = f"/api/v1/admin/merchants/{shop['id']}"
    assert admin.patch(path, {"status": "suspended"}).status_code == 200
    # When it logs in with the right and with a wrong password
    client = browser(gateway)
    right, wrong = login(client, shop["email"], PASSWORD), login(client, shop["email"], "not the password")
    # Then both answers are identical
    assert (right.status_code, right.json()) == (wrong.status_code, wrong.json())
    assert right.status_code == 403 and "Set-Cookie" not in right.headers
    # and the suspension ended the session: reactivation does not bring it back
    assert admin.patch(path, {"status": "active"}).status_code == 200
    assert session.get("/api/v1/dashboard/me").status_code == 401
    assert login(browser(gateway), shop["email"], PASSWORD).status_code == 200
