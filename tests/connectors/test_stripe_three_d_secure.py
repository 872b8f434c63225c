"""3-D Secure at Stripe (docs/connectors.md#3-d-secure), from the Stripe-shaped responder: localstripe
answers a challenged card with ``use_stripe_sdk`` and no address, so Stripe's ``redirect_to_url`` can only
be shown this way. The real connector's answers go through the gateway's own 3DS code on moto's tables:
the payment takes Stripe's page as its next_action, the gateway's return page is what Stripe is sent
back to, and on return the sync with Stripe decides the payment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from paygate.connectors import dispatch
from paygate.connectors.base import Card, Outcome, PaymentRequest
from paygate.connectors.stripe_connector import StripeConnector
from paygate.core import settings
from paygate.payments import next_action, processing, service, store
from paygate.payments.models import OrderIn, PaymentIn

from tests.connectors.conftest import Responder
from tests.unit.payments_world import MERCHANT, payments_world

KEY = "sk_test_k17threeds0123456789"
STRIPE_PAGE = "https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=pi_3DS"


@pytest.fixture
def world() -> Iterator[None]:
    os.environ["CHALLENGE_SIGNING_KEY"] = "k" * 40
    settings._cache.clear()
    try:
        with payments_world():
            yield
    finally:
        os.environ.pop("CHALLENGE_SIGNING_KEY", None)
        settings._cache.clear()


def _intent(**changes: Any) -> dict[str, Any]:
    return {"id": "pi_3DS", "object": "payment_intent", "amount": 5000, "currency": "inr", **changes}


def _pending_card_payment() -> dict[str, Any]:
    order = service.create_order(MERCHANT, OrderIn(amount=5000))
    card = {"number": "4000000000003220", "expiry_month": 12, "expiry_year": 2031, "cvv": "123"}
    data = PaymentIn(order_id=order.id, method="card", card={**card, "holder_name": "A Payer"})
    return store.get(service.create_payment(MERCHANT, data).id)


def _authorized(responder: Responder, payment: dict[str, Any]) -> dispatch.Dispatched:
    """The Stripe connector's real answer to this payment's authorization request."""
    request = processing.authorization_request(payment, 0)
    card = Card(number="4000000000003220", exp_month=12, exp_year=2031, cvc="123")
    request = PaymentRequest(**{**request.__dict__, "card": card})
    result = StripeConnector(KEY, api_base=responder.url, timeout=2.0).authorize(request)
    return dispatch.Dispatched(
        result, [dispatch.call_record(request, result, None, False)], {"source": "test"}
    )


def test_a_stripe_challenge_sends_the_payer_to_stripes_page_and_back_to_the_gateway(
    world: None, responder: Responder
) -> None:
    # Given Stripe's answer to a challenged card: requires_action with redirect_to_url
    payment = _pending_card_payment()
    action = {"type": "redirect_to_url", "redirect_to_url": {"url": STRIPE_PAGE, "return_url": "x"}}
    responder.body = _intent(status="requires_action", next_action=action)
    done = _authorized(responder, payment)
    # Then Stripe was asked to send the payer back to the gateway's return page, with a token
    return_url = responder.requests[-1][1]["return_url"][0]
    assert return_url.startswith(f"/checkout/challenge?payment_id={payment['id']}&token=")
    # When the attempt path records it
    assert next_action.on_result(payment, done) == "requires_action"
    # Then the payment's next_action is Stripe's page, and the payer ends on the gateway's return page
    stored = store.get(payment["id"])
    assert stored["status"] == "requires_action"
    assert stored["next_action"]["redirect_to_url"] == {
        "url": STRIPE_PAGE,
        "return_url": f"/checkout/challenge?payment_id={payment['id']}",
    }
    # When the payer is back and Stripe says the intent succeeded (what connector.sync reads)
    responder.body = _intent(status="succeeded", amount_received=5000)
    synced = StripeConnector(KEY, api_base=responder.url, timeout=2.0).sync("pi_3DS")
    assert synced.outcome is Outcome.SUCCEEDED
    assert (
        next_action._record(stored, synced, None, next_action._authentication("authenticated")) == "success"
    )
    # Then the payment succeeded with the authentication kept, once
    final = store.get(payment["id"])
    assert (final["status"], final["next_action"], final["authentication"]["status"]) == (
        "success", None, "authenticated"
    )  # fmt: skip
    assert next_action._record(stored, synced, None, {}) == "unchanged"


def test_a_failed_stripe_authentication_fails_the_payment_by_name(world: None, responder: Responder) -> None:
    payment = _pending_card_payment()
    action = {"type": "redirect_to_url", "redirect_to_url": {"url": STRIPE_PAGE, "return_url": "x"}}
    responder.body = _intent(status="requires_action", next_action=action)
    next_action.on_result(payment, _authorized(responder, payment))
    # Stripe: the intent back to requires_payment_method with the authentication failure
    error = {"type": "card_error", "code": "payment_intent_authentication_failure", "message": "failed"}
    responder.body = _intent(status="requires_payment_method", last_payment_error=error)
    synced = StripeConnector(KEY, api_base=responder.url, timeout=2.0).sync("pi_3DS")
    assert synced.outcome.is_decline
    stored = store.get(payment["id"])
    assert next_action._record(stored, synced, None, next_action._authentication("failed")) == "failed"
    assert store.get(payment["id"])["error_code"] == "AUTHENTICATION_FAILED"


def test_use_stripe_sdk_without_an_address_fails_the_payment_as_before(
    world: None, responder: Responder
) -> None:
    # localstripe's answer: no redirect address, so a hosted page cannot send the payer anywhere
    payment = _pending_card_payment()
    responder.body = _intent(status="requires_action", next_action={"type": "use_stripe_sdk"})
    assert next_action.on_result(payment, _authorized(responder, payment)) == "failed"
    assert store.get(payment["id"])["error_code"] == "PROCESSOR_ERROR"
