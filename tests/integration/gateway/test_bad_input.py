"""Bad input on every route: a 4xx with the error shape naming the field, and nothing written."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
import requests
from localcloud.runtime import LocalCloud

from tests.integration.gateway.client import ADMIN_KEY, UPI, Api, card, error_of

PAST = {"expiry_month": 1, "expiry_year": 2020}

# (method, path, body, status, field). {order}, {payment}, {intent} are the merchant's own objects.
CASES: list[tuple[str, str, Any, int, str | None]] = [
    ("POST", "/api/v1/orders", {}, 400, "amount"),
    ("POST", "/api/v1/orders", {"amount": "5000"}, 400, "amount"),
    ("POST", "/api/v1/orders", {"amount": 100.5}, 400, "amount"),
    ("POST", "/api/v1/orders", {"amount": 5000.0}, 400, "amount"),
    ("POST", "/api/v1/orders", {"amount": -5}, 400, "amount"),
    ("POST", "/api/v1/orders", {"amount": 99}, 400, "amount"),
    ("POST", "/api/v1/orders", {"amount": True}, 400, "amount"),
    ("POST", "/api/v1/orders", {"amount": 500, "currency": "XYZ"}, 400, "currency"),
    ("POST", "/api/v1/orders", {"amount": 500, "currency": 356}, 400, "currency"),
    ("POST", "/api/v1/orders", {"amount": 500, "notes": [1]}, 400, "notes"),
    ("POST", "/api/v1/orders", {"amount": 500, "receipt": "r" * 41}, 400, "receipt"),
    ("POST", "/api/v1/orders", {"amount": 500, "colour": "red"}, 400, "colour"),
    ("POST", "/api/v1/orders", [500], 400, "body"),
    ("POST", "/api/v1/orders", "{not json", 400, "body"),
    ("POST", "/api/v1/orders", {"amount": 500, "notes": {"x": "y" * 40_000}}, 413, "body"),
    ("POST", "/api/v1/payments", {"method": "upi", "vpa": "a@ybl"}, 400, "order_id"),
    ("POST", "/api/v1/payments", {"order_id": "order_00000000000000", **UPI}, 404, "order_id"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", "method": "cash"}, 400, "method"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", "method": "upi"}, 400, "vpa"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", "method": "upi", "vpa": "nobank"}, 400, "vpa"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", "method": "card"}, 400, "card"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", **card("4111111111111112")}, 400, "card.number"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", **card("4111-1111-1111")}, 400, "card.number"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", **card("6011111111111117")}, 400, "card.number"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", **card(**PAST)}, 400, "card.expiry_year"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", **card(expiry_month=13)}, 400, "card.expiry_month"),
    (
        "POST",
        "/api/v1/payments",
        {"order_id": "{order}", **card(expiry_year="2031")},
        400,
        "card.expiry_year",
    ),
    ("POST", "/api/v1/payments", {"order_id": "{order}", **card(cvv="12")}, 400, "card.cvv"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", **card(cvv="12a4")}, 400, "card.cvv"),
    ("POST", "/api/v1/payments", {"order_id": "{order}", **card(), "vpa": "a@ybl"}, 400, "vpa"),
    (
        "POST",
        "/api/v1/payments/public",
        {"order_id": "{order}", **card("4111111111111112")},
        400,
        "card.number",
    ),
    ("POST", "/api/v1/payments/public", {"order_id": "order_00000000000000", **UPI}, 404, "order_id"),
    ("GET", "/api/v1/payments/pay_00000000000000", None, 404, "id"),
    ("GET", "/api/v1/payments/pay_00000000000000/public", None, 404, "id"),
    ("GET", "/api/v1/orders/order_00000000000000", None, 404, "id"),
    ("GET", "/api/v1/orders/order_00000000000000/public", None, 404, "id"),
    ("GET", "/api/v1/orders/order_00000000000000/payments", None, 404, "id"),
    ("GET", "/api/v1/refunds/rfnd_00000000000000", None, 404, "id"),
    ("GET", "/api/v1/payment_intents/pi_00000000000000", None, 404, "id"),
    ("GET", "/api/v1/orders", {"limit": 0}, 400, "limit"),
    ("GET", "/api/v1/orders", {"limit": 101}, 400, "limit"),
    ("GET", "/api/v1/orders", {"limit": "ten"}, 400, "limit"),
    ("GET", "/api/v1/payments", {"offset": -1}, 400, "offset"),
    ("GET", "/api/v1/payments", {"status": "weird"}, 400, "status"),
    ("GET", "/api/v1/payments", {"method": "cash"}, 400, "method"),
    ("GET", "/api/v1/payments", {"from": "yesterday"}, 400, "from"),
    ("GET", "/api/v1/payment_intents", {"limit": -1}, 400, "limit"),
    ("POST", "/api/v1/payments/{payment}/capture", {"amount": 1.5}, 400, "amount"),
    ("POST", "/api/v1/payments/{payment}/capture", {"amount": 999}, 400, "amount"),
    ("POST", "/api/v1/payments/pay_00000000000000/capture", {}, 404, "id"),
    ("POST", "/api/v1/payments/{payment}/refunds", {"amount": 0}, 400, "amount"),
    ("POST", "/api/v1/payments/{payment}/refunds", {"amount": -100}, 400, "amount"),
    ("POST", "/api/v1/payments/{payment}/refunds", {"amount": "100"}, 400, "amount"),
    ("POST", "/api/v1/payments/{payment}/refunds", {"amount": 10.0}, 400, "amount"),
    ("POST", "/api/v1/payments/{payment}/refunds", {"amount": 999_999}, 400, "amount"),
    ("POST", "/api/v1/payments/{payment}/refunds", {"reason": "x" * 300}, 400, "reason"),
    ("POST", "/api/v1/payments/pay_00000000000000/refunds", {}, 404, "id"),
    ("POST", "/api/v1/payment_intents", {"amount": 10.5}, 400, "amount"),
    ("POST", "/api/v1/payment_intents", {"amount": 1000, "currency": "ABC"}, 400, "currency"),
    ("POST", "/api/v1/payment_intents", {"amount": 1000, "capture_method": "later"}, 400, "capture_method"),
    ("POST", "/api/v1/payment_intents", {"amount": 1000, "metadata": "x"}, 400, "metadata"),
    ("POST", "/api/v1/payment_intents", {"amount": 1000, "metadata": {"rate": 1.5}}, 400, "metadata.rate"),
    ("POST", "/api/v1/orders", {"amount": 500, "notes": {"nested": {"a": 1}}}, 400, "notes.nested"),
    ("POST", "/api/v1/payment_intents/{intent}/confirm", {"method": "upi", "vpa": "bad"}, 400, "vpa"),
    ("POST", "/api/v1/payment_intents/{intent}/confirm", card(**PAST), 400, "card.expiry_year"),
    ("POST", "/api/v1/payment_intents/pi_00000000000000/confirm", UPI, 404, "id"),
    (
        "POST",
        "/api/v1/payment_intents/{intent}/capture",
        {"amount_to_capture": 5.5},
        400,
        "amount_to_capture",
    ),
    ("POST", "/api/v1/payment_intents/{intent}/capture", {}, 400, "status"),
    ("POST", "/api/v1/payment_intents/pi_00000000000000/cancel", None, 404, "id"),
    ("POST", "/api/v1/admin/merchants", {"email": "a@b.co"}, 400, "name"),
    ("POST", "/api/v1/admin/merchants", {"name": "N", "email": "not-an-email"}, 400, "email"),
    ("PATCH", "/api/v1/admin/merchants/mer_00000000000000", {"status": "active"}, 404, "id"),
    ("PATCH", "/api/v1/admin/merchants/mer_00000000000000", {"status": "deleted"}, 400, "status"),
    ("GET", "/api/v1/admin/merchants", {"limit": 1000}, 400, "limit"),
]


@pytest.fixture(scope="module")
def own(api: Api) -> dict[str, str]:
    payment = api.paid(5_000)
    intent = api.created("/api/v1/payment_intents", {"amount": 1_000})
    return {"order": api.order()["id"], "payment": payment["id"], "intent": intent["id"]}


def _item_counts(gateway: LocalCloud) -> dict[str, int]:
    client = boto3.client("dynamodb", region_name=gateway.region)
    tables = ("Merchants/MerchantsTable", "Payments/PaymentsTable", "IdempotencyTable")
    return {
        name: client.scan(TableName=gateway.physical(name), Select="COUNT", ConsistentRead=True)["Count"]
        for name in tables
    }


def _fill(value: Any, own: dict[str, str]) -> Any:
    text = json.dumps(value)
    for name, object_id in own.items():
        text = text.replace("{" + name + "}", object_id)
    return json.loads(text)


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), CASES)
def test_bad_input_is_a_clear_4xx_and_writes_nothing(
    gateway: LocalCloud,
    api: Api,
    own: dict[str, str],
    method: str,
    path: str,
    body: Any,
    status: int,
    field: str,
) -> None:
    # Given the tables as they are
    session = api if "/admin/" not in path else Api(gateway.url, {"Authorization": f"Bearer {ADMIN_KEY}"})
    path = _fill(path, own)
    before = _item_counts(gateway)
    # When the bad request is sent (with an Idempotency-Key: a refused request must not be remembered)
    headers = {"Idempotency-Key": f"bad-{path}-{status}-{field}"}
    if method == "GET":
        response = session.get(path, params=body)
    elif isinstance(body, str):
        response = session.session.request(
            method, session.base + path, data=body, headers={"Content-Type": "application/json", **headers}
        )
    else:
        response = session.session.request(
            method, session.base + path, json=_fill(body, own) if body is not None else None, headers=headers
        )
    # Then it is refused with the error shape, naming the field, and nothing was written
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error.get("field") == field, error
    assert error["description"]
    assert "Traceback" not in response.text
    assert _item_counts(gateway) == before


def test_unknown_route_is_403_like_api_gateway(gateway: LocalCloud) -> None:
    assert requests.get(f"{gateway.url}/api/v1/nothing-here", timeout=10).status_code == 403
