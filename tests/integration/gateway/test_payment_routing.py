"""Routing in the payment path (issue 17), over HTTP against localcloud with the providers as real
processes: card payments routed by the merchant's rules to Stripe (localstripe) and to Razorpay (the
contract fake), refunded there; localstripe stopped mid-run: payments fail over to Razorpay, the circuit
opens, and closes again once localstripe is back; no payment is charged twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from localcloud.runtime import LocalCloud

from tests.helpers import at_once, wait_for
from tests.integration.gateway.client import Api, card
from tests.integration.gateway.conftest import keys_of
from tests.servers import Localstripe, razorpay_fake

STRIPE_KEY = "sk_test_routing4242abcd"
RZP_KEY_ID = "rzp_test_Routing1234xy"
RZP_SECRET = "RoutingSecret9876zyx"
VISA = "4242424242424242"  # Stripe's success card; rule 0 sends visa to Stripe
MASTERCARD = "5555555555554444"  # rule 1 sends mastercard to Razorpay


@pytest.fixture(scope="module")
def stripe_server() -> Iterator[Localstripe]:
    server = Localstripe()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def razorpay_url() -> Iterator[str]:
    with razorpay_fake(RZP_KEY_ID, RZP_SECRET) as (url, stderr):
        yield url
    assert not any(VISA in line or MASTERCARD in line for line in stderr)


@pytest.fixture(scope="module")
def shop(admin: Api, gateway: LocalCloud) -> Api:
    made = admin.created("/api/v1/admin/merchants", {"name": "Routed Shop", "email": "routed@example.com"})
    return Api.with_key(gateway.url, *keys_of(made, "test"))


@pytest.fixture(scope="module")
def configs(shop: Api, stripe_server: Localstripe, razorpay_url: str) -> dict[str, str]:
    stripe = shop.created(
        "/api/v1/connectors",
        {"connector": "stripe", "credentials": {"api_key": STRIPE_KEY}, "base_url": stripe_server.url},
    )
    razorpay = shop.created(
        "/api/v1/connectors",
        {
            "connector": "razorpay",
            "credentials": {"key_id": RZP_KEY_ID, "key_secret": RZP_SECRET},
            "base_url": razorpay_url,
        },
    )
    rules = {
        "rules": [
            {
                "name": "visa to stripe",
                "conditions": {"methods": ["card"], "networks": ["visa"]},
                "action": {"type": "priority", "connectors": [stripe["id"], razorpay["id"]]},
            },
            {
                "name": "mastercard to razorpay",
                "conditions": {"networks": ["mastercard"]},
                "action": {"type": "priority", "connectors": [razorpay["id"], stripe["id"]]},
            },
        ]
    }
    put = shop.session.put(shop.base + "/api/v1/routing", json=rules, timeout=30)
    assert put.status_code == 200, put.text
    return {"stripe": stripe["id"], "razorpay": razorpay["id"]}


def _paid(shop: Api, number: str, amount: int = 5_000) -> dict[str, Any]:
    order = shop.order(amount)
    payment = shop.created("/api/v1/payments", {"order_id": order["id"], **card(number)})
    return shop.settled(f"/api/v1/payments/{payment['id']}", timeout=30)


def _provider(url: str, path: str, auth: tuple[str, str]) -> dict[str, Any]:
    answer = requests.get(url + path, auth=auth, timeout=10)
    assert answer.ok, answer.text
    return answer.json()


def _charged(payment: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in payment["attempts"] if a["outcome"] == "succeeded"]


def test_a_visa_payment_goes_to_stripe_and_is_refunded_there(
    shop: Api, configs: dict[str, str], stripe_server: Localstripe
) -> None:
    payment = _paid(shop, VISA)
    assert payment["status"] == "success", payment
    (call,) = payment["attempts"]
    assert call["connector"] == "stripe" and call["merchant_connector_id"] == configs["stripe"]
    assert call["provider_reference"].startswith("pi_") and call["latency_ms"] >= 0
    assert payment["connector"] == {
        "merchant_connector_id": configs["stripe"],
        "name": "stripe",
        "provider_reference": call["provider_reference"],
    }
    (trace,) = payment["routing"]
    assert trace["rule"]["name"] == "visa to stripe" and trace["source"] == "rule"
    assert any("visa to stripe" in step for step in trace["steps"])
    intent = _provider(
        stripe_server.url, f"/v1/payment_intents/{call['provider_reference']}", (STRIPE_KEY, "")
    )
    assert (intent["status"], intent["amount"]) == ("succeeded", 5_000)
    # a partial refund goes to Stripe, by the provider's reference
    refund = shop.created(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 1_500})
    done = shop.settled(f"/api/v1/refunds/{refund['id']}", timeout=30)
    assert done["status"] == "processed" and done["provider_reference"].startswith("re_"), done
    at_stripe = _provider(stripe_server.url, f"/v1/refunds/{done['provider_reference']}", (STRIPE_KEY, ""))
    assert at_stripe["amount"] == 1_500


def _stripe_intent(url: str, reference: str) -> tuple[str, int]:
    """A PaymentIntent's status and what it took: localstripe captures partially as a whole capture
    and a refund of the rest, so the money taken is its charges' amount less their refunds."""
    intent = _provider(url, f"/v1/payment_intents/{reference}", (STRIPE_KEY, ""))
    charges = [c for c in intent["charges"]["data"] if c.get("captured")]
    return intent["status"], sum(c["amount"] - c.get("amount_refunded", 0) for c in charges)


def _authorized_at_stripe(shop: Api, amount: int) -> tuple[dict[str, Any], str]:
    """A manual-capture intent confirmed with the visa card (routed to Stripe): in requires_capture,
    with its PaymentIntent's id at Stripe."""
    intent = shop.created("/api/v1/payment_intents", {"amount": amount, "capture_method": "manual"})
    confirmed = shop.post(f"/api/v1/payment_intents/{intent['id']}/confirm", card(VISA))
    assert confirmed.status_code == 200, confirmed.text
    ready = shop.settled(f"/api/v1/payment_intents/{intent['id']}", pending="processing", timeout=30)
    assert ready["status"] == "requires_capture", ready
    payment = shop.get(f"/api/v1/payments/{ready['latest_payment_id']}").json()
    assert payment["connector"]["name"] == "stripe"
    return ready, payment["connector"]["provider_reference"]


def test_an_intent_is_captured_and_released_at_stripe(
    shop: Api, configs: dict[str, str], stripe_server: Localstripe
) -> None:
    intent, reference = _authorized_at_stripe(shop, 9_000)
    assert _stripe_intent(stripe_server.url, reference) == ("requires_capture", 0)
    # a partial capture goes to Stripe first, then is recorded
    captured = shop.post(f"/api/v1/payment_intents/{intent['id']}/capture", {"amount_to_capture": 6_000})
    assert captured.status_code == 200 and captured.json()["amount_received"] == 6_000, captured.text
    assert _stripe_intent(stripe_server.url, reference) == ("succeeded", 6_000)
    # a cancel releases the authorization at Stripe
    other, other_reference = _authorized_at_stripe(shop, 4_000)
    canceled = shop.post(f"/api/v1/payment_intents/{other['id']}/cancel")
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled", canceled.text
    assert _stripe_intent(stripe_server.url, other_reference) == ("canceled", 0)


def test_two_captures_of_one_routed_intent_at_once_capture_once(
    shop: Api, configs: dict[str, str], stripe_server: Localstripe
) -> None:
    intent, reference = _authorized_at_stripe(shop, 8_000)
    path = f"/api/v1/payment_intents/{intent['id']}/capture"
    answers = at_once(*[lambda: shop.post(path, {"amount_to_capture": 5_000}) for _ in range(2)])
    codes = sorted(answer.status_code for answer in answers)
    assert codes[0] == 200 and 400 <= codes[1] < 500, [a.text for a in answers]
    payment = shop.get(f"/api/v1/payments/{intent['latest_payment_id']}").json()
    assert (payment["status"], payment["amount_captured"]) == ("captured", 5_000)
    assert _stripe_intent(stripe_server.url, reference) == ("succeeded", 5_000)


def test_a_mastercard_payment_goes_to_razorpay_and_is_refunded_there(
    shop: Api, configs: dict[str, str], razorpay_url: str
) -> None:
    payment = _paid(shop, MASTERCARD, 7_000)
    assert payment["status"] == "success", payment
    (call,) = payment["attempts"]
    assert call["connector"] == "razorpay" and call["merchant_connector_id"] == configs["razorpay"]
    assert payment["routing"][0]["rule"]["name"] == "mastercard to razorpay"
    reference = call["provider_reference"]
    at_razorpay = _provider(razorpay_url, f"/v1/payments/{reference}", (RZP_KEY_ID, RZP_SECRET))
    assert (at_razorpay["status"], at_razorpay["amount"]) == ("captured", 7_000)
    refund = shop.created(f"/api/v1/payments/{payment['id']}/refunds", {})
    done = shop.settled(f"/api/v1/refunds/{refund['id']}", timeout=30)
    assert done["status"] == "processed", done
    after = _provider(razorpay_url, f"/v1/payments/{reference}", (RZP_KEY_ID, RZP_SECRET))
    assert after["amount_refunded"] == 7_000


def test_stripe_down_payments_fail_over_the_circuit_opens_then_closes(
    shop: Api, configs: dict[str, str], stripe_server: Localstripe
) -> None:
    stripe_server.stop()
    try:
        # each visa payment tries Stripe (refused connection: nothing happened), then fails over once
        failed_over = [_paid(shop, VISA) for _ in range(5)]
        for payment in failed_over:
            assert payment["status"] == "success", payment
            first, second = payment["attempts"]
            assert (first["connector"], first["outcome"]) == ("stripe", "processor_error_retryable")
            assert (second["connector"], second["failover"], second["outcome"]) == (
                "razorpay",
                True,
                "succeeded",
            )
            assert len(_charged(payment)) == 1 and payment["connector"]["name"] == "razorpay"
        # five processor errors in a row opened Stripe's circuit: the next payment skips it
        skipped = _paid(shop, VISA)
        assert [a["connector"] for a in skipped["attempts"]] == ["razorpay"], skipped["attempts"]
        steps = " ".join(skipped["routing"][0]["steps"])
        assert f"skipped {configs['stripe']}: circuit open since" in steps, steps
    finally:
        stripe_server.start()
    # after the cool-down one probe goes to Stripe, succeeds, and the circuit closes
    probed = wait_for(
        lambda: (p := _paid(shop, VISA))["attempts"][0]["connector"] == "stripe" and p,
        timeout=30,
        what="a payment to reach Stripe again",
    )
    assert probed["status"] == "success" and len(probed["attempts"]) == 1
    assert "half-open probe" in " ".join(probed["routing"][0]["steps"])
    again = _paid(shop, VISA)
    assert [a["connector"] for a in again["attempts"]] == ["stripe"]
    assert "half-open" not in " ".join(again["routing"][0]["steps"])
