"""The open checkout's limits (issue 15, items 5 and 7): a suspended merchant takes no payment, and one
client's attempts per hour are capped; currencies keep their own minimum amount (item 15)."""

from __future__ import annotations

from paygate.payments.checkout_limits import CLIENT_ATTEMPTS

from tests.integration.gateway.client import UPI, Api, card, error_of
from tests.integration.gateway.conftest import keys_of
from tests.integration.source_address import api_from


def test_a_suspended_merchant_takes_no_payment_through_the_checkout(admin: Api, gateway) -> None:
    # Given a merchant with an order, then suspended by the platform
    made = admin.created("/api/v1/admin/merchants", {"name": "Soon Suspended", "email": "susp@example.com"})
    merchant = Api.with_key(gateway.url, *keys_of(made, "test"))
    order = merchant.order(5_000)
    assert admin.patch(f"/api/v1/admin/merchants/{made['id']}", {"status": "suspended"}).status_code == 200
    # When a payer pays the order through the public checkout
    public = api_from("127.0.0.31", gateway.url)
    refused = public.post("/api/v1/payments/public", {"order_id": order["id"], **card()})
    # Then it is refused and nothing was charged or written
    assert refused.status_code == 403, refused.text
    assert error_of(refused)["code"] == "MERCHANT_UNAVAILABLE"
    assert public.get(f"/api/v1/orders/{order['id']}/public").json()["status"] == "created"
    # and once reinstated, the same order can be paid
    assert admin.patch(f"/api/v1/admin/merchants/{made['id']}", {"status": "active"}).status_code == 200
    paid = public.post("/api/v1/payments/public", {"order_id": order["id"], **UPI})
    assert paid.status_code == 201, paid.text


def test_one_client_has_a_budget_of_attempts(api: Api, gateway) -> None:
    # Given a client that made CLIENT_ATTEMPTS payments in this hour (all successful)
    client = api_from("127.0.0.32", gateway.url)
    for _ in range(CLIENT_ATTEMPTS):
        order = api.order(100)
        made = client.post("/api/v1/payments/public", {"order_id": order["id"], **UPI})
        assert made.status_code == 201, made.text
    # When it makes one more
    order = api.order(100)
    over = client.post("/api/v1/payments/public", {"order_id": order["id"], **UPI})
    # Then it is refused until the hour ends, and another client is not
    assert over.status_code == 429 and error_of(over)["code"] == "TOO_MANY_ATTEMPTS"
    assert 1 <= int(over.headers["Retry-After"]) <= 3600
    other = api_from("127.0.0.33", gateway.url)
    assert other.post("/api/v1/payments/public", {"order_id": order["id"], **UPI}).status_code == 201


def test_minimum_amounts_follow_the_currency(api: Api) -> None:
    assert api.post("/api/v1/orders", {"amount": 50, "currency": "JPY"}).status_code == 201
    assert api.post("/api/v1/orders", {"amount": 50, "currency": "USD"}).status_code == 201
    low = api.post("/api/v1/orders", {"amount": 99, "currency": "INR"})
    assert low.status_code == 400 and error_of(low)["field"] == "amount"
    assert "1.00 INR" in error_of(low)["description"]
    gbp = api.post("/api/v1/payment_intents", {"amount": 29, "currency": "GBP"})
    assert gbp.status_code == 400 and error_of(gbp)["field"] == "amount"
