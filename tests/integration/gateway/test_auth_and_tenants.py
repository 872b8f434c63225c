"""Authentication, the platform admin API and tenant isolation (merchant and mode)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from localcloud.runtime import LocalCloud

from tests.helpers import ROOT
from tests.integration.gateway.client import SEED_KEY, UPI, Api, card, error_of
from tests.integration.gateway.conftest import keys_of


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Api-Key": SEED_KEY[0]},
        {"X-Api-Key": SEED_KEY[0], "X-Api-Secret": "secret_test_wrong"},
        {"X-Api-Key": "key_test_other", "X-Api-Secret": SEED_KEY[1]},
        {"Authorization": "Bearer secret_test_wrong"},
        {"Authorization": f"Basic {SEED_KEY[1]}"},
    ],
    ids=["none", "key-only", "wrong-secret", "wrong-key", "wrong-bearer", "not-bearer"],
)
def test_missing_or_wrong_credentials_are_401(gateway: LocalCloud, headers: dict[str, str]) -> None:
    response = Api(gateway.url, headers).post("/api/v1/orders", {"amount": "not even valid"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "UNAUTHORIZED"


def test_bearer_secret_authenticates(gateway: LocalCloud) -> None:
    bearer = Api(gateway.url, {"Authorization": f"Bearer {SEED_KEY[1]}"})
    assert bearer.post("/api/v1/orders", {"amount": 100}).status_code == 201


def test_admin_api_needs_the_platform_key(gateway: LocalCloud, api: Api) -> None:
    assert Api(gateway.url).get("/api/v1/admin/merchants").status_code == 401
    merchant_key = Api(gateway.url, {"Authorization": f"Bearer {SEED_KEY[1]}"})
    assert merchant_key.get("/api/v1/admin/merchants").status_code == 401


def test_admin_creates_and_lists_merchants(admin: Api, second_merchant: dict[str, Any]) -> None:
    assert second_merchant["id"].startswith("mer_") and second_merchant["status"] == "active"
    assert {k["mode"] for k in second_merchant["keys"]} == {"test", "live"}
    assert all(k["key_secret"].startswith(f"secret_{k['mode']}_") for k in second_merchant["keys"])
    assert second_merchant["webhook_secret"].startswith("whsec_")
    listed = admin.get("/api/v1/admin/merchants", params={"limit": 100}).json()
    emails = {m["email"] for m in listed["items"]}
    assert {"test@example.com", "second@example.com"} <= emails
    assert all("keys" not in m and "webhook_secret" not in m for m in listed["items"])
    duplicate = admin.post("/api/v1/admin/merchants", {"name": "Again", "email": "second@example.com"})
    assert duplicate.status_code == 409 and error_of(duplicate)["field"] == "email"


def test_suspended_merchant_gets_403_until_reactivated(admin: Api, gateway: LocalCloud) -> None:
    merchant = admin.created("/api/v1/admin/merchants", {"name": "Flaky Shop", "email": "flaky@example.com"})
    shop = Api.with_key(gateway.url, *keys_of(merchant, "test"))
    assert shop.post("/api/v1/orders", {"amount": 500}).status_code == 201
    suspended = admin.patch(f"/api/v1/admin/merchants/{merchant['id']}", {"status": "suspended"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    refused = shop.post("/api/v1/orders", {"amount": 500})
    assert refused.status_code == 403 and error_of(refused)["code"] == "FORBIDDEN"
    admin.patch(f"/api/v1/admin/merchants/{merchant['id']}", {"status": "active"})
    assert shop.get("/api/v1/orders").status_code == 200


def test_cli_creates_a_merchant_on_the_running_gateway(gateway: LocalCloud) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "paygate_cli", "merchants", "create", "--name", "Cli Shop",
         "--email", "cli@example.com", "--base-url", gateway.url],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = dict(line.strip().split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    key_id, secret = lines["X-Api-Key"], lines["X-Api-Secret"]
    assert key_id.startswith("key_test_") and secret.startswith("secret_test_")
    assert (
        Api.with_key(gateway.url, key_id, secret).post("/api/v1/orders", {"amount": 100}).status_code == 201
    )


def test_another_merchant_gets_404_on_every_route_for_my_objects(
    api: Api, gateway: LocalCloud, second_merchant: dict[str, Any]
) -> None:
    # Given my order, payment (succeeded), refund and intent
    payment = api.paid(5_000)
    order_id = payment["order_id"]
    refund = api.created(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 100})
    intent = api.created("/api/v1/payment_intents", {"amount": 1_000})
    other = Api.with_key(gateway.url, *keys_of(second_merchant, "test"))
    # When another merchant's key uses their ids, on every GET and POST route
    attempts = {
        "get order": other.get(f"/api/v1/orders/{order_id}"),
        "order payments": other.get(f"/api/v1/orders/{order_id}/payments"),
        "pay my order": other.post("/api/v1/payments", {"order_id": order_id, **UPI}),
        "get payment": other.get(f"/api/v1/payments/{payment['id']}"),
        "capture": other.post(f"/api/v1/payments/{payment['id']}/capture"),
        "refund": other.post(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 100}),
        "list refunds": other.get(f"/api/v1/payments/{payment['id']}/refunds"),
        "get refund": other.get(f"/api/v1/refunds/{refund['id']}"),
        "get intent": other.get(f"/api/v1/payment_intents/{intent['id']}"),
        "confirm": other.post(f"/api/v1/payment_intents/{intent['id']}/confirm", card()),
        "capture intent": other.post(f"/api/v1/payment_intents/{intent['id']}/capture"),
        "cancel intent": other.post(f"/api/v1/payment_intents/{intent['id']}/cancel"),
    }
    # Then every one is 404, and their lists do not show my objects
    assert {name: r.status_code for name, r in attempts.items()} == dict.fromkeys(attempts, 404)
    assert all(error_of(r)["code"] == "NOT_FOUND" for r in attempts.values())
    seen = {o["id"] for o in other.get("/api/v1/orders", params={"limit": 100}).json()["items"]}
    assert order_id not in seen
    assert api.get(f"/api/v1/payments/{payment['id']}").json()["amount_refunded"] == 100
    assert api.get(f"/api/v1/payment_intents/{intent['id']}").json()["status"] == "requires_payment_method"


def test_test_and_live_objects_never_mix(gateway: LocalCloud, second_merchant: dict[str, Any]) -> None:
    test = Api.with_key(gateway.url, *keys_of(second_merchant, "test"))
    live = Api.with_key(gateway.url, *keys_of(second_merchant, "live"))
    live_order = live.order(3_000)
    test_order = test.order(3_000)
    assert (live_order["mode"], test_order["mode"]) == ("live", "test")
    assert test.get(f"/api/v1/orders/{live_order['id']}").status_code == 404
    assert live.get(f"/api/v1/orders/{test_order['id']}").status_code == 404
    assert test.post("/api/v1/payments", {"order_id": live_order["id"], **UPI}).status_code == 404
    test_ids = {o["id"] for o in test.get("/api/v1/orders", params={"limit": 100}).json()["items"]}
    live_ids = {o["id"] for o in live.get("/api/v1/orders", params={"limit": 100}).json()["items"]}
    assert live_order["id"] in live_ids and live_order["id"] not in test_ids
    assert test_order["id"] in test_ids and test_order["id"] not in live_ids
