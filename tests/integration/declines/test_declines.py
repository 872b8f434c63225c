"""Declined payments (TEST_PAYMENT_SUCCESS=false): failed with a reason; intents go back for a method."""

from __future__ import annotations

from tests.integration.gateway.client import Api, card, error_of


def test_card_payment_fails_with_an_error_code(declining: Api) -> None:
    order = declining.order(8_000)
    payment = declining.payment(order["id"], card())
    failed = declining.settled(f"/api/v1/payments/{payment['id']}")
    assert failed["status"] == "failed"
    assert failed["error_code"] == "CARD_DECLINED" and failed["error_description"]
    # the order stays payable, and the failed payment can be neither captured nor refunded
    assert declining.get(f"/api/v1/orders/{order['id']}").json()["status"] == "attempted"
    capture = declining.post(f"/api/v1/payments/{payment['id']}/capture")
    refund = declining.post(f"/api/v1/payments/{payment['id']}/refunds", {})
    assert capture.status_code == refund.status_code == 400
    assert "failed" in error_of(refund)["description"]


def test_failed_intent_returns_to_requires_payment_method(declining: Api) -> None:
    intent = declining.created("/api/v1/payment_intents", {"amount": 1_500, "capture_method": "manual"})
    declining.post(f"/api/v1/payment_intents/{intent['id']}/confirm", {"method": "upi", "vpa": "p@ybl"})
    back = declining.settled(f"/api/v1/payment_intents/{intent['id']}", pending="processing")
    assert back["status"] == "requires_payment_method"
    assert back["last_payment_error"]["code"] == "UPI_DECLINED"
    assert back["last_payment_error"]["payment_id"] == back["latest_payment_id"]
    # and it can be confirmed again
    again = declining.post(f"/api/v1/payment_intents/{intent['id']}/confirm", card())
    assert again.status_code == 200 and again.json()["status"] == "processing"
