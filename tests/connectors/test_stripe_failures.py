"""How the Stripe connector classifies what goes wrong: network failures against real sockets, and the
answers of Stripe's documented API that localstripe never gives, from a Stripe-shaped responder."""

from __future__ import annotations

from typing import Any

import pytest
from paygate.connectors.base import Card, Outcome, PaymentRequest
from paygate.connectors.stripe_connector import StripeConnector, decline_outcome

from tests.connectors.conftest import Responder

PAN = "4242424242424242"
KEY = "sk_test_k17failures0123456789"


def request(return_url: str | None = None) -> PaymentRequest:
    return PaymentRequest(
        payment_id="pay_test0000000001",
        amount=2500,
        currency="USD",
        method="card",
        idempotency_key="att_test0000000001",
        capture=True,
        card=Card(number=PAN, exp_month=1, exp_year=2031, cvc="912"),
        return_url=return_url,
    )


def test_connection_refused_is_retryable(dead_port: int) -> None:
    connector = StripeConnector(KEY, api_base=f"http://127.0.0.1:{dead_port}", timeout=2.0)
    result = connector.authorize(request())
    assert result.outcome is Outcome.PROCESSOR_ERROR_RETRYABLE
    assert result.outcome.failover_allowed
    assert result.details["sent"] == "false"


def test_no_answer_after_sending_is_unknown(silent_url: str) -> None:
    # Given a server that takes the request and never answers
    connector = StripeConnector(KEY, api_base=silent_url, timeout=0.5)
    # When the deadline passes
    result = connector.authorize(request())
    # Then it may have been charged: UNKNOWN, never failed over before a sync
    assert result.outcome is Outcome.UNKNOWN
    assert not result.outcome.failover_allowed
    assert (result.details["network_error"], result.details["sent"]) == ("ReadTimeout", "true")
    assert 400 <= result.latency_ms < 5000


def _intent(**changes: Any) -> dict[str, Any]:
    return {
        "id": "pi_3Test",
        "object": "payment_intent",
        "amount": 2500,
        "currency": "usd",
        "status": "succeeded",
        "capture_method": "automatic",
        **changes,
    }


def _card_error(code: str, decline_code: str | None = None, message: str = "Your card was declined.") -> dict:
    error: dict[str, Any] = {
        "type": "card_error",
        "code": code,
        "message": message,
        "payment_intent": _intent(status="requires_payment_method"),
    }
    if decline_code:
        error["decline_code"] = decline_code
    return {"error": error}


@pytest.mark.parametrize(
    ("status", "body", "outcome", "code"),
    [
        (402, _card_error("card_declined", "stolen_card"), Outcome.DECLINED_HARD, "card_declined"),
        (402, _card_error("card_declined", "fraudulent"), Outcome.DECLINED_HARD, "card_declined"),
        (
            402,
            _card_error("expired_card", message="Your card has expired."),
            Outcome.DECLINED_HARD,
            "expired_card",
        ),
        (402, _card_error("incorrect_number"), Outcome.DECLINED_HARD, "incorrect_number"),
        (402, _card_error("card_declined", "insufficient_funds"), Outcome.DECLINED_SOFT, "card_declined"),
        (402, _card_error("card_declined", "try_again_later"), Outcome.DECLINED_SOFT, "card_declined"),
        (402, _card_error("processing_error"), Outcome.DECLINED_SOFT, "processing_error"),
        (
            429,
            {
                "error": {
                    "type": "invalid_request_error",
                    "code": "rate_limit",
                    "message": "Too many requests",
                }
            },
            Outcome.PROCESSOR_ERROR_RETRYABLE,
            "rate_limit",
        ),
        (
            500,
            {"error": {"type": "api_error", "message": "An unknown error occurred"}},
            Outcome.UNKNOWN,
            None,
        ),
        (
            503,
            {"error": {"type": "api_error", "message": "Service unavailable"}},
            Outcome.PROCESSOR_ERROR_RETRYABLE,
            None,
        ),
        (
            403,
            {"error": {"type": "invalid_request_error", "message": "The provided key does not have access"}},
            Outcome.PROCESSOR_ERROR,
            None,
        ),
        (
            400,
            {
                "error": {
                    "type": "invalid_request_error",
                    "code": "parameter_invalid_integer",
                    "message": "Invalid integer: -1",
                    "param": "amount",
                }
            },
            Outcome.PROCESSOR_ERROR,
            "parameter_invalid_integer",
        ),
        (
            400,
            {
                "error": {
                    "type": "idempotency_error",
                    "message": "Keys for idempotent requests can only be used"
                    " with the same parameters they were first used with.",
                }
            },
            Outcome.PROCESSOR_ERROR,
            None,
        ),
    ],
)
def test_stripe_errors_are_classified(
    responder: Responder, status: int, body: dict, outcome: Outcome, code: str | None
) -> None:
    responder.status, responder.body = status, body
    result = StripeConnector(KEY, api_base=responder.url, timeout=2.0).authorize(request())
    assert result.outcome is outcome
    assert result.provider_code == code
    assert result.provider_message == body["error"]["message"]  # verbatim
    if "decline_code" in body["error"]:
        assert result.details["decline_code"] == body["error"]["decline_code"]
    if status == 402:
        assert result.provider_reference == "pi_3Test"  # the failed intent, to sync or show


def test_a_bad_key_answer_keeps_no_key(responder: Responder) -> None:
    # Stripe answers a bad key with it masked but for its last characters
    responder.status = 401
    responder.body = {
        "error": {
            "type": "invalid_request_error",
            "message": f"Invalid API Key provided: sk_test_********{KEY[-4:]}",
        }
    }
    result = StripeConnector(KEY, api_base=responder.url, timeout=2.0).sync("pi_3Test")
    assert result.outcome is Outcome.PROCESSOR_ERROR
    assert result.provider_message == "Invalid API Key provided: [redacted]"


def test_three_d_secure_redirect_sends_return_url_and_gives_the_url(responder: Responder) -> None:
    # Given Stripe's answer to a challenged card confirmed with a return_url
    redirect = {
        "url": "https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=pi_3Test",
        "return_url": "https://pay.example/back",
    }
    responder.body = _intent(
        status="requires_action", next_action={"type": "redirect_to_url", "redirect_to_url": redirect}
    )
    # When a payment with a return_url is authorized
    result = StripeConnector(KEY, api_base=responder.url, timeout=2.0).authorize(
        request(return_url="https://pay.example/back")
    )
    # Then the payer is sent to Stripe's page and the intent was confirmed with the return_url
    assert result.outcome is Outcome.REQUIRES_ACTION
    assert result.next_action_url == redirect["url"]
    assert result.details["next_action_type"] == "redirect_to_url"
    (method_path, method_form), (intent_path, intent_form) = responder.requests
    assert method_path == "/v1/payment_methods"
    assert method_form["card[number]"] == [PAN]
    assert intent_path == "/v1/payment_intents"
    assert intent_form["return_url"] == ["https://pay.example/back"]
    assert intent_form["confirm"] == ["true"]
    assert intent_form["currency"] == ["usd"]
    assert intent_form["capture_method"] == ["automatic"]
    assert intent_form["metadata[payment_id]"] == ["pay_test0000000001"]
    assert intent_form["payment_method"] == ["pi_3Test"]  # the responder's id, echoed back


def test_processing_is_pending(responder: Responder) -> None:
    responder.body = _intent(status="processing")
    assert StripeConnector(KEY, api_base=responder.url).sync("pi_3Test").outcome is Outcome.PENDING


def test_the_sdk_does_not_retry(responder: Responder) -> None:
    responder.status, responder.body = 503, {"error": {"type": "api_error", "message": "unavailable"}}
    StripeConnector(KEY, api_base=responder.url, timeout=2.0).sync("pi_3Test")
    assert len(responder.requests) == 1  # max_network_retries=0: the gateway decides


def test_the_module_global_key_is_left_alone(responder: Responder) -> None:
    import stripe

    before = stripe.api_key
    StripeConnector(KEY, api_base=responder.url).sync("pi_3Test")
    assert stripe.api_key == before


def test_decline_codes_not_in_the_tables_are_soft() -> None:
    assert decline_outcome("card_declined", "some_new_code") is Outcome.DECLINED_SOFT
    assert decline_outcome("card_declined", "lost_card") is Outcome.DECLINED_HARD
    assert decline_outcome("invalid_expiry_year", None) is Outcome.DECLINED_HARD
