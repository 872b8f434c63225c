"""Wallet payments (docs/connectors.md "Wallets") without a gateway: the method's validation, the
simulator's answers in test and live mode, the attempt's request, and Stripe refusing a wallet."""

from __future__ import annotations

from typing import Any

import pytest
from paygate.connectors.base import Outcome, PaymentRequest
from paygate.connectors.simulator import SimulatorConnector
from paygate.connectors.stripe_connector import StripeConnector
from paygate.core.errors import BadRequest
from paygate.core.settings import Processing
from paygate.payments.models import MethodIn
from paygate.payments.processing import authorization_request
from pydantic import ValidationError

CARD = {
    "number": "4242424242424242",
    "expiry_month": 12,
    "expiry_year": 2099,
    "cvv": "123",
    "holder_name": "A",
}


def _wallet(approved: bool = False, method: str = "wallet") -> PaymentRequest:
    return PaymentRequest(
        payment_id="pay_1",
        amount=5000,
        currency="INR",
        method=method,
        idempotency_key="pay_1-0",
        wallet="paytm",
        authentication={"status": "approved", "flow": "wallet"} if approved else None,
    )


def _simulator(**settings: object) -> SimulatorConnector:
    return SimulatorConnector(Processing.model_validate(settings))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "wallet"}, "wallet"),
        ({"method": "wallet", "wallet": "paytm", "vpa": "a@okaxis"}, "vpa"),
        ({"method": "wallet", "wallet": "phonepe", "card": CARD}, "card"),
        ({"method": "upi", "vpa": "a@okaxis", "wallet": "paytm"}, "wallet"),
        ({"method": "card", "card": CARD, "wallet": "amazonpay"}, "wallet"),
    ],
)
def test_a_wallet_payment_names_its_wallet_and_nothing_else(body: dict[str, Any], field: str) -> None:
    with pytest.raises(BadRequest) as refused:
        MethodIn.model_validate(body).check_details()
    assert refused.value.field == field


def test_only_the_three_wallets_are_known() -> None:
    for wallet in ("paytm", "phonepe", "amazonpay"):
        MethodIn.model_validate({"method": "wallet", "wallet": wallet}).check_details()
    with pytest.raises(ValidationError) as refused:
        MethodIn.model_validate({"method": "wallet", "wallet": "googlepay"})
    assert refused.value.errors()[0]["loc"] == ("wallet",)


def test_the_test_mode_simulator_sends_the_payer_to_the_wallet_then_decides() -> None:
    # Given a test-mode simulator
    yes = _simulator(test_mode=True, test_payment_success=True)
    no = _simulator(test_mode=True, test_payment_success=False)
    # Then a wallet payment first waits on its payer, whatever TEST_PAYMENT_SUCCESS says
    assert yes.authorize(_wallet()).outcome is Outcome.REQUIRES_ACTION
    assert no.authorize(_wallet()).outcome is Outcome.REQUIRES_ACTION
    # And once approved at the wallet it is decided as any payment
    assert yes.authorize(_wallet(approved=True)).outcome is Outcome.SUCCEEDED
    declined = no.authorize(_wallet(approved=True))
    assert (declined.outcome, declined.provider_code) == (Outcome.DECLINED_SOFT, "WALLET_DECLINED")


def test_the_live_simulator_decides_a_wallet_at_once_at_the_upi_rate() -> None:
    upi_yes_card_no = _simulator(test_mode=False, upi_success_rate=1.0, card_success_rate=0.0)
    upi_no_card_yes = _simulator(test_mode=False, upi_success_rate=0.0, card_success_rate=1.0)
    assert {upi_yes_card_no.authorize(_wallet()).outcome for _ in range(10)} == {Outcome.SUCCEEDED}
    assert {upi_no_card_yes.authorize(_wallet()).outcome for _ in range(10)} == {Outcome.DECLINED_SOFT}


def test_the_attempt_tells_the_connector_which_wallet() -> None:
    payment = {"id": "pay_1", "amount": 5000, "currency": "INR", "method": "wallet", "wallet": "phonepe"}
    request = authorization_request(payment, 0)
    assert (request.method, request.wallet, request.return_url) == ("wallet", "phonepe", None)


def test_stripe_refuses_a_wallet_as_a_processor_error_naming_it() -> None:
    # nothing is sent: the address is a closed port, and the answer comes before any call
    stripe = StripeConnector("sk_test_" + "x" * 24, api_base="http://127.0.0.1:9", timeout=1.0)
    result = stripe.authorize(_wallet())
    assert result.outcome is Outcome.PROCESSOR_ERROR and not result.outcome.failover_allowed
    assert result.connector == "stripe" and "wallet" in (result.provider_message or "")
