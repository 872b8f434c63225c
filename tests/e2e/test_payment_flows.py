"""The seed flows end to end over HTTP: orders, asynchronous payments, capture, refunds, intents.

Only HTTP and the seeded test merchant: the same tests run against localcloud (in ``make test``) and
against any deployed stack in test mode (``make e2e BASE_URL=...``)."""

from __future__ import annotations

from tests.helpers import wait_for
from tests.integration.gateway.client import Api, card, error_of


def test_order_upi_payment_succeeds_and_pays_the_order(api: Api) -> None:
    # Given an order
    order = api.order(12_345, receipt="rcpt-1", notes={"sku": "tee"})
    assert order["id"].startswith("order_") and len(order["id"]) == len("order_") + 14
    assert (order["status"], order["amount_due"], order["currency"]) == ("created", 12_345, "INR")
    # When a UPI payment is made on it
    payment = api.payment(order["id"])
    # Then it is pending at once, and succeeds asynchronously
    assert payment["status"] == "pending" and payment["id"].startswith("pay_")
    done = api.settled(f"/api/v1/payments/{payment['id']}")
    assert (done["status"], done["method"], done["vpa"], done["amount"]) == (
        "success",
        "upi",
        "payer@okaxis",
        12_345,
    )
    paid = api.get(f"/api/v1/orders/{order['id']}").json()
    assert (paid["status"], paid["amount_paid"], paid["amount_due"], paid["attempts"]) == (
        "paid",
        12_345,
        0,
        1,
    )
    listed = api.get(f"/api/v1/orders/{order['id']}/payments").json()
    assert [p["id"] for p in listed["items"]] == [payment["id"]] and listed["has_more"] is False


def test_card_payment_keeps_only_network_and_last4(api: Api) -> None:
    order = api.order()
    payment = api.payment(order["id"], card("5555555555554444"))
    fingerprint = payment["card"].pop("fingerprint")  # a keyed hash (docs/vault.md), no card data
    assert len(fingerprint) == 32 and "5555555555554444" not in fingerprint
    assert payment["card"] == {
        "network": "mastercard",
        "last4": "4444",
        "expiry_month": 12,
        "expiry_year": 2031,
        "holder_name": "A Payer",
        "country": "US",  # the issuing country, from the BIN (docs/payment-methods.md)
    }
    assert "number" not in payment["card"] and "cvv" not in str(payment)


def test_paid_order_refuses_another_payment(api: Api) -> None:
    payment = api.paid()
    again = api.post("/api/v1/payments", {"order_id": payment["order_id"], "method": "upi", "vpa": "a@ybl"})
    assert again.status_code == 400 and error_of(again)["field"] == "order_id"


def test_capture_once_then_400(api: Api) -> None:
    payment = api.paid()
    captured = api.post(f"/api/v1/payments/{payment['id']}/capture")
    assert captured.status_code == 200, captured.text
    assert (captured.json()["status"], captured.json()["captured"]) == ("captured", True)
    again = api.post(f"/api/v1/payments/{payment['id']}/capture")
    assert again.status_code == 400
    assert error_of(again)["code"] == "INVALID_STATE" and "captured" in error_of(again)["description"]


def test_capture_of_a_pending_payment_is_400(api: Api) -> None:
    order = api.order()
    payment = api.payment(order["id"])
    early = api.post(f"/api/v1/payments/{payment['id']}/capture")
    # the payment may already have succeeded on a fast machine; then the capture is legal
    assert early.status_code in (200, 400)
    if early.status_code == 400:
        assert "pending" in error_of(early)["description"]


def test_partial_refund_then_the_rest_refunds_the_payment(api: Api) -> None:
    payment = api.paid(10_000)
    # When part is refunded
    first = api.created(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 3_000, "reason": "damaged"})
    assert (first["status"], first["amount"], first["id"][:5]) == ("pending", 3_000, "rfnd_")
    half = api.get(f"/api/v1/payments/{payment['id']}").json()
    assert (half["status"], half["amount_refunded"]) == ("success", 3_000)
    # and then the rest (no amount: the remainder)
    rest = api.created(f"/api/v1/payments/{payment['id']}/refunds", {})
    assert rest["amount"] == 7_000
    # Then both are processed by the refund job, and the payment is refunded
    for refund in (first, rest):
        processed = api.settled(f"/api/v1/refunds/{refund['id']}")
        assert processed["status"] == "processed" and processed["processed_at"]
    final = api.get(f"/api/v1/payments/{payment['id']}").json()
    assert (final["status"], final["amount_refunded"]) == ("refunded", 10_000)
    listed = api.get(f"/api/v1/payments/{payment['id']}/refunds").json()
    assert [r["id"] for r in listed["items"]] == [rest["id"], first["id"]]
    # and nothing more can be refunded
    more = api.post(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 1})
    assert more.status_code == 400 and error_of(more)["code"] == "INVALID_STATE"


def test_refund_larger_than_the_rest_is_refused(api: Api) -> None:
    payment = api.paid(5_000)
    api.created(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 4_000})
    over = api.post(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 1_001})
    assert over.status_code == 400 and error_of(over)["field"] == "amount"


def test_intent_with_manual_capture(api: Api) -> None:
    # Given an intent that captures manually
    intent = api.created(
        "/api/v1/payment_intents",
        {"amount": 2_500, "currency": "USD", "capture_method": "manual", "metadata": {"cart": "42"}},
    )
    assert (intent["status"], intent["id"][:3]) == ("requires_payment_method", "pi_")
    # When it is confirmed with a card
    confirmed = api.post(f"/api/v1/payment_intents/{intent['id']}/confirm", card())
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "processing"
    # Then it waits for capture, and captures up to its amount
    ready = api.settled(f"/api/v1/payment_intents/{intent['id']}", pending="processing")
    assert (ready["status"], ready["amount_capturable"]) == ("requires_capture", 2_500)
    too_much = api.post(f"/api/v1/payment_intents/{intent['id']}/capture", {"amount_to_capture": 2_501})
    assert too_much.status_code == 400 and error_of(too_much)["field"] == "amount_to_capture"
    captured = api.post(f"/api/v1/payment_intents/{intent['id']}/capture", {"amount_to_capture": 2_000})
    assert captured.status_code == 200, captured.text
    assert (captured.json()["status"], captured.json()["amount_received"]) == ("succeeded", 2_000)
    payment = api.get(f"/api/v1/payments/{ready['latest_payment_id']}").json()
    assert (payment["status"], payment["amount_captured"], payment["payment_intent_id"]) == (
        "captured",
        2_000,
        intent["id"],
    )
    # and an illegal transition names the state
    cancel = api.post(f"/api/v1/payment_intents/{intent['id']}/cancel")
    assert cancel.status_code == 400 and "succeeded" in error_of(cancel)["description"]


def test_intent_with_automatic_capture_succeeds(api: Api) -> None:
    intent = api.created("/api/v1/payment_intents", {"amount": 1_000})
    api.post(f"/api/v1/payment_intents/{intent['id']}/confirm", {"method": "upi", "vpa": "me@upi"})
    done = api.settled(f"/api/v1/payment_intents/{intent['id']}", pending="processing")
    assert (done["status"], done["amount_received"]) == ("succeeded", 1_000)
    again = api.post(f"/api/v1/payment_intents/{intent['id']}/confirm", {"method": "upi", "vpa": "me@upi"})
    assert again.status_code == 400 and "succeeded" in error_of(again)["description"]


def test_intent_cancel(api: Api) -> None:
    intent = api.created("/api/v1/payment_intents", {"amount": 1_000})
    canceled = api.post(f"/api/v1/payment_intents/{intent['id']}/cancel")
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    confirm = api.post(f"/api/v1/payment_intents/{intent['id']}/confirm", card())
    assert confirm.status_code == 400 and "canceled" in error_of(confirm)["description"]


def test_lists_are_newest_first_and_paginate(api: Api) -> None:
    made = [api.order(1_000 + i)["id"] for i in range(3)]
    page = api.get("/api/v1/orders", params={"limit": 2}).json()
    assert [o["id"] for o in page["items"]] == made[::-1][:2] and page["has_more"] is True
    assert page["count"] == 2
    second = api.get("/api/v1/orders", params={"limit": 1, "offset": 2}).json()
    assert second["items"][0]["id"] == made[0]
    intents = api.get("/api/v1/payment_intents", params={"limit": 1}).json()
    assert intents["count"] == 1


def test_payment_filters(api: Api) -> None:
    upi = api.paid(2_000)
    by_card = api.paid(3_000, card())
    cards = api.get("/api/v1/payments", params={"method": "card", "limit": 100}).json()["items"]
    assert by_card["id"] in {p["id"] for p in cards} and upi["id"] not in {p["id"] for p in cards}
    assert all(p["method"] == "card" for p in cards)
    window = api.get(
        "/api/v1/payments",
        params={"from": by_card["created_at"], "to": by_card["created_at"], "status": "success"},
    ).json()["items"]
    assert [p["id"] for p in window] == [by_card["id"]]


def test_public_checkout_routes_need_no_secret_and_show_no_merchant_data(api: Api) -> None:
    public = Api(api.base)
    order = api.order(7_700, receipt="secret-receipt", notes={"internal": "x"})
    seen = public.get(f"/api/v1/orders/{order['id']}/public").json()
    assert seen == {
        "id": order["id"],
        "amount": 7_700,
        "currency": "INR",
        "status": "created",
        "merchant_name": "Test Merchant",
        "saved_cards": [],  # an order made for a customer offers the customer's (docs/payment-methods.md)
        "can_save_card": False,
    }
    made = public.post("/api/v1/payments/public", {"order_id": order["id"], **card()})
    assert made.status_code == 201, made.text
    assert set(made.json()) == {
        "id",
        "order_id",
        "amount",
        "currency",
        "status",
        "method",
        "wallet",  # a wallet payment's wallet (the wallet page names it); null for a card
        "error_code",
        "error_description",
        "next_action",  # where the checkout sends the payer (3-D Secure, a wallet); null otherwise
    }
    assert made.json()["next_action"] is None and made.json()["wallet"] is None
    wait_for(
        lambda: public.get(f"/api/v1/payments/{made.json()['id']}/public").json()["status"] == "success",
        what="public payment to succeed",
    )
    assert public.get(f"/api/v1/orders/{order['id']}/public").json()["status"] == "paid"
    # the merchant sees it as its own payment
    assert api.get(f"/api/v1/payments/{made.json()['id']}").json()["mode"] == "test"
