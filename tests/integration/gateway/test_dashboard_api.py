"""The dashboard's backend over HTTP: password login, the session cookie and its CSRF header, cookie
auth on the merchant routes, tenant isolation, logout, overview, credentials, webhook settings, refunds."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from localcloud.runtime import LocalCloud

from tests.helpers import wait_for
from tests.integration.gateway.client import (
    DASHBOARD_HEADER,
    SEED_EMAIL,
    SEED_PASSWORD,
    Api,
    error_of,
)
from tests.integration.gateway.conftest import keys_of
from tests.integration.gateway.receiver import Receiver, start_receiver

SHOP_EMAIL = "dash-shop@example.com"
SHOP_PASSWORD = "dash shop password 1"
NEW_PASSWORD = "a-brand-new-password"
PASSWORDS = (SEED_PASSWORD, SHOP_PASSWORD, NEW_PASSWORD)  # the secret scan looks for these too
LOGIN = "/api/v1/dashboard/login"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


@pytest.fixture(scope="module")
def shop(admin: Api) -> dict[str, Any]:
    """A merchant of this module only, with a dashboard password."""
    return admin.created(
        "/api/v1/admin/merchants", {"name": "Dash Shop", "email": SHOP_EMAIL, "password": SHOP_PASSWORD}
    )


@pytest.fixture(scope="module")
def shop_api(gateway: LocalCloud, shop: dict[str, Any]) -> Api:
    return Api.with_key(gateway.url, *keys_of(shop, "test"))


def dashboard(gateway: LocalCloud, email: str, password: str, **extra: Any) -> Api:
    """A browser-like client logged in: the cookie sits in its jar, the header on every request."""
    client = Api(gateway.url, DASHBOARD_HEADER)
    response = client.post(LOGIN, {"email": email, "password": password, **extra})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture(scope="module")
def seed_session(gateway: LocalCloud) -> Api:
    return dashboard(gateway, SEED_EMAIL, SEED_PASSWORD)


@pytest.fixture(scope="module")
def shop_session(gateway: LocalCloud, shop: dict[str, Any]) -> Api:
    return dashboard(gateway, SHOP_EMAIL, SHOP_PASSWORD)


def _set_cookies(response: requests.Response) -> list[str]:
    return response.raw.headers.getlist("Set-Cookie")


def _token(client: Api) -> str:
    return client.session.cookies["paygate_session"]


# --- login, the cookie, /me ---------------------------------------------------------------------
def test_login_sets_an_httponly_strict_cookie_and_me_answers_the_same(gateway: LocalCloud) -> None:
    # When the seed merchant logs in with the documented password
    client = Api(gateway.url, DASHBOARD_HEADER)
    response = client.post(LOGIN, {"email": "Test@Example.com", "password": SEED_PASSWORD})
    # Then the body names the merchant and the mode, and the cookie is HttpOnly, SameSite=Strict, 12 h
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode"] == "test"
    assert body["merchant"]["email"] == SEED_EMAIL and body["merchant"]["status"] == "active"
    assert set(body["merchant"]) == {"id", "name", "email", "status", "webhook_url"}
    (cookie,) = _set_cookies(response)
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[0].startswith("paygate_session=ey")
    assert {"HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"} <= set(attributes)
    assert "Secure" not in attributes  # plain http here
    assert response.headers["Cache-Control"] == "no-store"
    # and /me answers the same body with that cookie
    me = client.get("/api/v1/dashboard/me")
    assert me.status_code == 200 and me.json() == body


def test_the_cookie_is_secure_behind_https(gateway: LocalCloud) -> None:
    client = Api(gateway.url, {**DASHBOARD_HEADER, "X-Forwarded-Proto": "https"})
    response = client.post(LOGIN, {"email": SEED_EMAIL, "password": SEED_PASSWORD, "mode": "live"})
    assert response.status_code == 200 and response.json()["mode"] == "live"
    assert "; Secure" in _set_cookies(response)[0]


def test_wrong_password_and_unknown_email_get_the_same_401(gateway: LocalCloud, shop: dict[str, Any]) -> None:
    client = Api(gateway.url, DASHBOARD_HEADER)
    answers = [
        client.post(LOGIN, {"email": SEED_EMAIL, "password": "not the password"}),
        client.post(LOGIN, {"email": "nobody@example.com", "password": SEED_PASSWORD}),
        client.post(LOGIN, {"email": SHOP_EMAIL, "password": SEED_PASSWORD}),
    ]
    for response in answers:
        assert response.status_code == 401
        assert error_of(response) == error_of(answers[0])
        assert error_of(response)["code"] == "INVALID_CREDENTIALS"
        assert not _set_cookies(response)
    assert client.get("/api/v1/dashboard/me").status_code == 401


def test_a_merchant_without_a_password_cannot_log_in(gateway: LocalCloud, admin: Api) -> None:
    admin.created("/api/v1/admin/merchants", {"name": "No Pass", "email": "nopass@example.com"})
    response = Api(gateway.url, DASHBOARD_HEADER).post(
        LOGIN, {"email": "nopass@example.com", "password": "anything at all"}
    )
    assert response.status_code == 401 and error_of(response)["code"] == "INVALID_CREDENTIALS"


def test_the_cookie_needs_the_dashboard_header(gateway: LocalCloud, seed_session: Api) -> None:
    # Given a valid session cookie sent without X-Paygate-Dashboard (what a cross-site form could do)
    cookies = {"paygate_session": _token(seed_session)}
    for path in ("/api/v1/payments", "/api/v1/dashboard/me"):
        response = requests.get(gateway.url + path, cookies=cookies, timeout=30)
        # Then it is refused
        assert response.status_code == 401, path
        assert error_of(response)["field"] == "X-Paygate-Dashboard"
    # and login without the header is refused too (no login CSRF)
    bare = requests.post(
        gateway.url + LOGIN, json={"email": SEED_EMAIL, "password": SEED_PASSWORD}, timeout=30
    )
    assert bare.status_code == 401 and not _set_cookies(bare)
    # while a forged cookie with the header is a plain 401
    forged = requests.get(
        gateway.url + "/api/v1/payments",
        cookies={"paygate_session": _token(seed_session)[:-4] + "AAAA"},
        headers=DASHBOARD_HEADER,
        timeout=30,
    )
    assert forged.status_code == 401


def test_api_keys_work_as_before_next_to_a_cookie(api: Api, seed_session: Api) -> None:
    # An API key takes precedence over a cookie in the same request
    response = api.get("/api/v1/payments", cookies={"paygate_session": "garbage"})
    assert response.status_code == 200


# --- cookie auth on merchant routes and tenant isolation ---------------------------------------
def test_cookie_auth_lists_the_merchants_payments_and_nobody_elses(
    api: Api, shop_api: Api, seed_session: Api, shop_session: Api
) -> None:
    # Given a payment of the seed merchant and one of the shop
    seed_payment = api.paid(1_500)
    shop_payment = shop_api.paid(1_600)
    # When each lists payments with its session
    seed_ids = {p["id"] for p in seed_session.get("/api/v1/payments", params={"limit": 100}).json()["items"]}
    shop_ids = {p["id"] for p in shop_session.get("/api/v1/payments", params={"limit": 100}).json()["items"]}
    # Then each sees its own only, and the other's ids are 404
    assert seed_payment["id"] in seed_ids and shop_payment["id"] not in seed_ids
    assert shop_payment["id"] in shop_ids and seed_payment["id"] not in shop_ids
    assert seed_session.get(f"/api/v1/payments/{seed_payment['id']}").json()["amount"] == 1_500
    for path in (f"/api/v1/payments/{seed_payment['id']}", f"/api/v1/orders/{seed_payment['order_id']}"):
        assert shop_session.get(path).status_code == 404
    assert seed_session.get(f"/api/v1/payments/{shop_payment['id']}").status_code == 404
    # and the session writes too: a refund through the cookie
    refund = seed_session.post(f"/api/v1/payments/{seed_payment['id']}/refunds", {"amount": 100})
    assert refund.status_code == 201, refund.text


def test_logout_revokes_the_session(gateway: LocalCloud) -> None:
    # Given a logged-in client
    client = dashboard(gateway, SEED_EMAIL, SEED_PASSWORD)
    token = _token(client)
    # When it logs out
    response = client.post("/api/v1/dashboard/logout")
    # Then the cookie is expired, and the old cookie no longer works anywhere
    assert response.status_code == 200 and response.json() == {}
    (cleared,) = _set_cookies(response)
    assert cleared.startswith("paygate_session=;") and "Max-Age=0" in cleared and "HttpOnly" in cleared
    stale = Api(gateway.url, DASHBOARD_HEADER)
    stale.session.cookies.set("paygate_session", token)
    assert stale.get("/api/v1/dashboard/me").status_code == 401
    assert stale.get("/api/v1/payments").status_code == 401
    # and logging out again is harmless
    assert stale.post("/api/v1/dashboard/logout").status_code == 200


def test_a_suspended_merchants_session_is_403_and_a_new_password_works(
    gateway: LocalCloud, admin: Api
) -> None:
    merchant = admin.created(
        "/api/v1/admin/merchants",
        {"name": "Pausing", "email": "pausing@example.com", "password": SHOP_PASSWORD},
    )
    session = dashboard(gateway, "pausing@example.com", SHOP_PASSWORD)
    path = f"/api/v1/admin/merchants/{merchant['id']}"
    assert admin.patch(path, {"status": "suspended"}).status_code == 200
    assert session.get("/api/v1/dashboard/me").status_code == 403
    relogin = Api(gateway.url, DASHBOARD_HEADER).post(
        LOGIN, {"email": "pausing@example.com", "password": SHOP_PASSWORD}
    )
    assert relogin.status_code == 403
    # Reactivated with a new password: the old one is refused, the new one logs in
    assert admin.patch(path, {"status": "active", "password": NEW_PASSWORD}).status_code == 200
    # the suspension and the new password each ended the old session (issue 15, item 10)
    assert session.get("/api/v1/dashboard/me").status_code == 401
    old = Api(gateway.url, DASHBOARD_HEADER).post(
        LOGIN, {"email": "pausing@example.com", "password": SHOP_PASSWORD}
    )
    assert old.status_code == 401
    dashboard(gateway, "pausing@example.com", NEW_PASSWORD)


# --- overview -------------------------------------------------------------------------------------
def test_overview_counts_the_payments_made(shop_api: Api, shop_session: Api) -> None:
    # Given the overview now
    before = shop_session.get("/api/v1/dashboard/overview", params={"days": 7})
    assert before.status_code == 200, before.text
    # When three payments succeed
    for amount in (1_000, 2_000, 3_000):
        assert shop_api.paid(amount)["status"] == "success"
    after = shop_session.get("/api/v1/dashboard/overview", params={"days": 7}).json()
    # Then count, succeeded and amount grew by exactly those, today included, 7 days oldest first
    old, new = before.json()["totals"], after["totals"]
    assert new["count"] - old["count"] == 3
    assert new["succeeded"] - old["succeeded"] == 3
    assert new["amount"] - old["amount"] == 6_000
    assert new["success_rate"] == 1.0 and new["failed"] == 0
    assert after["currency"] == "INR" and after["days"] == 7 and after["truncated"] is False
    dates = [d["date"] for d in after["daily"]]
    assert len(dates) == 7 and dates == sorted(dates)
    assert after["daily"][-1]["count"] == new["count"] and after["daily"][0]["success_rate"] is None
    assert sum(d["amount"] for d in after["daily"]) == new["amount"]


@pytest.mark.parametrize("days", ["0", "91", "ten"])
def test_overview_days_is_1_to_90(shop_session: Api, days: str) -> None:
    response = shop_session.get("/api/v1/dashboard/overview", params={"days": days})
    assert response.status_code == 400 and error_of(response)["field"] == "days"


# --- credentials ----------------------------------------------------------------------------------
def test_credentials_list_and_regenerate(gateway: LocalCloud, admin: Api) -> None:
    # Given a merchant of this test alone (never the seed: other tests use its key) and its keys as created
    shop = admin.created(
        "/api/v1/admin/merchants",
        {"name": "Keys Shop", "email": "keys@example.com", "password": SHOP_PASSWORD},
    )
    shop_session = dashboard(gateway, "keys@example.com", SHOP_PASSWORD)
    listed = shop_session.get("/api/v1/dashboard/credentials").json()["keys"]
    assert [(k["mode"], k["key_id"]) for k in listed] == [
        (mode, keys_of(shop, mode)[0]) for mode in ("test", "live")
    ]
    assert all("secret" not in str(k) for k in listed)
    old = Api.with_key(gateway.url, *keys_of(shop, "test"))
    assert old.get("/api/v1/orders").status_code == 200
    # When the test key is regenerated
    response = shop_session.post("/api/v1/dashboard/credentials/regenerate", {"mode": "test"})
    assert response.status_code == 201, response.text
    fresh = response.json()
    assert set(fresh) == {"mode", "key_id", "key_secret"} and fresh["key_secret"].startswith("secret_test_")
    # Then the old secret is refused, the new one works, the live key is untouched
    assert old.get("/api/v1/orders").status_code == 401
    assert (
        Api.with_key(gateway.url, fresh["key_id"], fresh["key_secret"]).get("/api/v1/orders").status_code
        == 200
    )
    assert Api.with_key(gateway.url, *keys_of(shop, "live")).get("/api/v1/orders").status_code == 200
    now = shop_session.get("/api/v1/dashboard/credentials").json()["keys"]
    assert [k["key_id"] for k in now] == [fresh["key_id"], keys_of(shop, "live")[0]]
    # and a test API key may not regenerate the live key
    by_key = Api.with_key(gateway.url, fresh["key_id"], fresh["key_secret"])
    refused = by_key.post("/api/v1/dashboard/credentials/regenerate", {"mode": "live"})
    assert refused.status_code == 403 and error_of(refused)["field"] == "mode"
    # nor is a bad mode accepted (and nothing changes)
    bad = shop_session.post("/api/v1/dashboard/credentials/regenerate", {"mode": "prod"})
    assert bad.status_code == 400 and error_of(bad)["field"] == "mode"
    assert shop_session.get("/api/v1/dashboard/credentials").json()["keys"] == now


# --- webhook settings -----------------------------------------------------------------------------
def test_webhook_settings_get_patch_and_test(
    shop: dict[str, Any], shop_session: Api, seed_session: Api, receiver: Receiver
) -> None:
    # Given no webhook URL yet: the test has nowhere to go
    settings = shop_session.get("/api/v1/dashboard/webhook_settings").json()
    assert settings == {"webhook_url": None, "webhook_secret": shop["webhook_secret"]}
    nowhere = shop_session.post("/api/v1/dashboard/webhook_settings/test")
    assert nowhere.status_code == 400 and error_of(nowhere)["field"] == "webhook_url"
    # When bad URLs are sent, they are refused naming the field, and nothing changes
    for body in ({}, {"webhook_url": "ftp://example.com/x"}, {"webhook_url": "http://10.0.0.1/x"}, {"x": 1}):
        bad = shop_session.patch("/api/v1/dashboard/webhook_settings", body)
        assert bad.status_code == 400, body
        assert error_of(bad)["field"] in ("webhook_url", "x"), body
    assert shop_session.get("/api/v1/dashboard/webhook_settings").json()["webhook_url"] is None
    # When the receiver's URL is set and tested
    url = receiver.url + "/dashboard"
    patched = shop_session.patch("/api/v1/dashboard/webhook_settings", {"webhook_url": url})
    assert patched.status_code == 200 and patched.json() == {**settings, "webhook_url": url}
    delivery = shop_session.post("/api/v1/dashboard/webhook_settings/test")
    assert delivery.status_code == 201, delivery.text
    ping = delivery.json()
    assert ping["event_type"] == "ping" and ping["endpoint_id"] == "default" and ping["url"] == url
    # Then the ping reaches the receiver, signed with the merchant's webhook secret
    received = wait_for(
        lambda: [r for r in receiver.at("/dashboard") if ping["event_id"] in r.body], what="ping"
    )
    signature = hmac.new(
        shop["webhook_secret"].encode(), received[0].body.encode(), hashlib.sha256
    ).hexdigest()
    assert received[0].headers["X-Webhook-Signature"] == signature
    detail = wait_for(
        lambda: (
            (d := shop_session.get(f"/api/v1/webhooks/{ping['id']}").json())["status"] == "succeeded" and d
        ),
        what="the ping delivery to succeed",
    )
    assert detail["attempts"][0]["response_code"] == 200
    # and another merchant's session cannot see that delivery
    assert seed_session.get(f"/api/v1/webhooks/{ping['id']}").status_code == 404
    assert ping["id"] not in {d["id"] for d in seed_session.get("/api/v1/webhooks").json()["items"]}
    # Clearing the URL with null
    cleared = shop_session.patch("/api/v1/dashboard/webhook_settings", {"webhook_url": None})
    assert cleared.status_code == 200 and cleared.json()["webhook_url"] is None


# --- refunds --------------------------------------------------------------------------------------
def test_list_refunds_is_merchant_wide_newest_first(api: Api, shop_api: Api, shop_session: Api) -> None:
    # Given refunds on two of the shop's payments, and one of the seed merchant's
    first, second = shop_api.paid(2_500), shop_api.paid(2_600)
    made = [shop_api.created(f"/api/v1/payments/{p['id']}/refunds", {"amount": 100}) for p in (first, second)]
    other = api.created(f"/api/v1/payments/{api.paid(2_700)['id']}/refunds", {"amount": 100})
    # When the shop lists its refunds (session or key)
    listed = shop_session.get("/api/v1/refunds", params={"limit": 100}).json()
    by_key = shop_api.get("/api/v1/refunds", params={"limit": 2}).json()
    # Then both are there, newest first, and the seed's is not
    ids = [r["id"] for r in listed["items"]]
    assert ids[:2] == [made[1]["id"], made[0]["id"]] and other["id"] not in ids
    assert listed["count"] == len(ids) and listed["items"][0]["payment_id"] == second["id"]
    assert [r["id"] for r in by_key["items"]] == ids[:2]
    assert shop_session.get("/api/v1/refunds", params={"limit": 0}).status_code == 400


# --- bad input --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": SEED_EMAIL}, "password"),
        ({"password": SEED_PASSWORD}, "email"),
        ({"email": SEED_EMAIL, "password": SEED_PASSWORD, "mode": "prod"}, "mode"),
        ({"email": SEED_EMAIL, "password": SEED_PASSWORD, "remember": True}, "remember"),
    ],
)
def test_bad_login_input_is_400_naming_the_field(
    gateway: LocalCloud, body: dict[str, Any], field: str
) -> None:
    response = Api(gateway.url, DASHBOARD_HEADER).post(LOGIN, body)
    assert response.status_code == 400 and error_of(response)["field"] == field
    assert not _set_cookies(response)


@pytest.mark.parametrize("password", ["short", "x" * 129, 12345678])
def test_admin_refuses_a_bad_password_and_creates_nothing(admin: Api, password: Any) -> None:
    response = admin.post(
        "/api/v1/admin/merchants", {"name": "Weak", "email": "weak@example.com", "password": password}
    )
    assert response.status_code == 400 and error_of(response)["field"] == "password"
    assert SEED_PASSWORD not in response.text and "short" not in error_of(response)["description"]
    listed = admin.get("/api/v1/admin/merchants", params={"limit": 100}).json()["items"]
    assert "weak@example.com" not in {m["email"] for m in listed}
