"""Card testing on the open checkout (issue 15, item 7): declines from one client slow it down, an
order takes a bounded number of attempts, and the public view of a payment names no decline reason."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from paygate.payments.checkout_limits import FREE_DECLINES, ORDER_ATTEMPTS

from tests.integration.gateway.client import Api, card, error_of
from tests.integration.source_address import api_from


def _declined_publicly(public: Api, merchant: Api) -> dict:
    order = merchant.order(100)
    made = public.post("/api/v1/payments/public", {"order_id": order["id"], **card()})
    assert made.status_code == 201, made.text
    return public.settled(f"/api/v1/payments/{made.json()['id']}/public")


def test_repeated_declines_from_one_client_are_slowed(declining: Api) -> None:
    # Given a client whose cards were declined FREE_DECLINES times
    tester = api_from("127.0.0.21", declining.base)
    for _ in range(FREE_DECLINES):
        assert _declined_publicly(tester, declining)["status"] == "failed"
    # When it tries once more at once
    order = declining.order(100)
    again = tester.post("/api/v1/payments/public", {"order_id": order["id"], **card()})
    # Then it must wait, and is told how long; nothing was written
    assert again.status_code == 429, again.text
    assert error_of(again)["code"] == "TOO_MANY_ATTEMPTS"
    assert int(again.headers["Retry-After"]) >= 1
    assert declining.get(f"/api/v1/orders/{order['id']}").json()["attempts"] == 0
    # while another client pays the same order at once
    other = api_from("127.0.0.22", declining.base)
    assert other.post("/api/v1/payments/public", {"order_id": order["id"], **card()}).status_code == 201


def test_the_public_view_names_no_decline_reason(declining: Api) -> None:
    public = api_from("127.0.0.23", declining.base)
    seen = _declined_publicly(public, declining)
    assert (seen["error_code"], seen["status"]) == ("PAYMENT_DECLINED", "failed")
    assert "card" not in seen["error_description"].lower()
    # the merchant still sees the processor's reason
    assert declining.get(f"/api/v1/payments/{seen['id']}").json()["error_code"] == "CARD_DECLINED"


def test_an_order_takes_a_bounded_number_of_attempts(declining: Api) -> None:
    # Given an order of ₹1, attacked by 40 concurrent attempts (the merchant's own API: every caller)
    order = declining.order(100)
    body = {"order_id": order["id"], **card()}
    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(lambda _: declining.post("/api/v1/payments", body), range(40)))
    # Then exactly ORDER_ATTEMPTS payments exist, the rest were refused naming the order
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == ORDER_ATTEMPTS, codes
    refused = [a for a in answers if a.status_code != 201]
    assert {a.status_code for a in refused} == {429}
    assert {error_of(a)["field"] for a in refused} == {"order_id"}
    listed = declining.get(f"/api/v1/orders/{order['id']}/payments", params={"limit": 100}).json()
    assert len(listed["items"]) == ORDER_ATTEMPTS
    assert declining.get(f"/api/v1/orders/{order['id']}").json()["attempts"] == ORDER_ATTEMPTS
