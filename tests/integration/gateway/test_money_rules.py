"""The payment state machine over HTTP (issue 15, items 1-3): an authorization is captured or
canceled, never refunded; concurrent refunds and captures leave refunded <= captured; a payment whose
refunds reach what was taken is ``refunded`` and cannot be captured."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests.integration.gateway.client import Api, error_of


def _authorized_intent(api: Api, amount: int) -> dict[str, Any]:
    intent = api.created("/api/v1/payment_intents", {"amount": amount, "capture_method": "manual"})
    confirmed = api.post(f"/api/v1/payment_intents/{intent['id']}/confirm", {"method": "upi", "vpa": "a@ybl"})
    assert confirmed.status_code == 200, confirmed.text
    ready = api.settled(f"/api/v1/payment_intents/{intent['id']}", pending="processing")
    assert ready["status"] == "requires_capture"
    return ready


def _retrying_409(call: Any) -> requests.Response:
    for _ in range(20):
        response = call()
        if response.status_code != 409:
            return response
    return response


def test_an_authorization_is_not_refundable(api: Api) -> None:
    # Given a manual-capture intent holding a 10000 authorization
    intent = _authorized_intent(api, 10_000)
    payment_id = intent["latest_payment_id"]
    # When the merchant refunds its payment before capturing
    refused = api.post(f"/api/v1/payments/{payment_id}/refunds", {"amount": 9_000})
    # Then it is refused as Stripe refuses it (charge_not_captured), and nothing moved
    assert refused.status_code == 400, refused.text
    assert error_of(refused)["code"] == "PAYMENT_NOT_CAPTURED"
    payment = api.get(f"/api/v1/payments/{payment_id}").json()
    assert (payment["status"], payment["amount_refunded"]) == ("success", 0)
    # and after a capture of 100 only those 100 can be refunded
    captured = api.post(f"/api/v1/payment_intents/{intent['id']}/capture", {"amount_to_capture": 100})
    assert captured.status_code == 200, captured.text
    over = api.post(f"/api/v1/payments/{payment_id}/refunds", {"amount": 101})
    assert over.status_code == 400 and error_of(over)["field"] == "amount"
    full = api.created(f"/api/v1/payments/{payment_id}/refunds", {})
    assert full["amount"] == 100
    payment = api.get(f"/api/v1/payments/{payment_id}").json()
    assert (payment["status"], payment["amount_captured"], payment["amount_refunded"]) == (
        "refunded",
        100,
        100,
    )


def test_refund_then_cancel_is_impossible(api: Api) -> None:
    intent = _authorized_intent(api, 10_000)
    refused = api.post(f"/api/v1/payments/{intent['latest_payment_id']}/refunds", {"amount": 5_000})
    assert refused.status_code == 400
    canceled = api.post(f"/api/v1/payment_intents/{intent['id']}/cancel")
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    payment = api.get(f"/api/v1/payments/{intent['latest_payment_id']}").json()
    assert (payment["status"], payment["amount_captured"], payment["amount_refunded"]) == ("canceled", 0, 0)


def test_full_refund_racing_partial_capture(api: Api) -> None:
    """Eight rounds: whatever the order, nothing refunded exceeds what was captured."""
    for _ in range(8):
        intent = _authorized_intent(api, 10_000)
        payment_id = intent["latest_payment_id"]
        with ThreadPoolExecutor(max_workers=2) as pool:
            refund = pool.submit(api.post, f"/api/v1/payments/{payment_id}/refunds", {})
            capture = pool.submit(
                api.post, f"/api/v1/payment_intents/{intent['id']}/capture", {"amount_to_capture": 100}
            )
            assert capture.result().status_code == 200
            refunded = refund.result()
        # before the capture it is refused; after it, it refunds the captured 100, never 10000
        assert refunded.status_code in (400, 201), refunded.text
        if refunded.status_code == 201:
            assert refunded.json()["amount"] == 100
        payment = api.get(f"/api/v1/payments/{payment_id}").json()
        assert payment["amount_refunded"] <= payment["amount_captured"] == 100


def test_thirty_concurrent_partial_refunds_refund_the_payment(api: Api) -> None:
    # Given a paid order of 3000
    payment = api.paid(3_000)
    path = f"/api/v1/payments/{payment['id']}/refunds"
    # When 30 refunds of 100 race
    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(lambda _: _retrying_409(lambda: api.post(path, {"amount": 100})), range(30)))
    # Then all are recorded, the payment is refunded in full, and it cannot be captured any more
    assert [a.status_code for a in answers] == [201] * 30, [a.text for a in answers if a.status_code != 201]
    after = api.get(f"/api/v1/payments/{payment['id']}").json()
    assert (after["status"], after["amount_refunded"]) == ("refunded", 3_000)
    capture = api.post(f"/api/v1/payments/{payment['id']}/capture", {})
    assert capture.status_code == 400 and error_of(capture)["code"] == "INVALID_STATE"
    listed = api.get(path, params={"limit": 100}).json()
    assert sum(r["amount"] for r in listed["items"]) == 3_000
