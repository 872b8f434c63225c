"""The simulator behind the connector interface: the seeds' rules, classified as routing needs them."""

from __future__ import annotations

import pytest
from paygate.connectors.base import Card, Connector, Outcome, PaymentRequest
from paygate.connectors.simulator import SimulatorConnector
from paygate.core.settings import Processing
from paygate.payments.processing import authorization_request


def _request(method: str = "card", last4: str | None = "4242", attempt: int = 0) -> PaymentRequest:
    return PaymentRequest(
        payment_id="pay_1",
        amount=5000,
        currency="INR",
        method=method,
        idempotency_key=f"pay_1-{attempt}",
        attempt=attempt,
        card_last4=last4,
    )


def _simulator(**settings: object) -> SimulatorConnector:
    return SimulatorConnector(Processing.model_validate(settings))


def test_it_is_a_connector() -> None:
    assert isinstance(_simulator(), Connector)


@pytest.mark.parametrize("method", ["card", "upi"])
def test_test_mode_success_and_decline_follow_test_payment_success(method: str) -> None:
    ok = _simulator(test_mode=True, test_payment_success=True).authorize(_request(method))
    assert (ok.outcome, ok.connector, ok.provider_reference, ok.amount) == (
        Outcome.SUCCEEDED, "simulator", "sim_pay_1", 5000
    )  # fmt: skip
    no = _simulator(test_mode=True, test_payment_success=False).authorize(_request(method))
    assert no.outcome is Outcome.DECLINED_SOFT and no.outcome.is_decline and not no.outcome.failover_allowed
    assert no.provider_code == {"card": "CARD_DECLINED", "upi": "UPI_DECLINED"}[method]


def test_the_outage_card_is_a_retryable_processor_error_twice_then_decided() -> None:
    simulator = _simulator(test_mode=True, test_payment_success=True)
    outcomes = [simulator.authorize(_request(last4="0119", attempt=n)).outcome for n in range(3)]
    assert outcomes == [
        Outcome.PROCESSOR_ERROR_RETRYABLE,
        Outcome.PROCESSOR_ERROR_RETRYABLE,
        Outcome.SUCCEEDED,
    ]
    assert Outcome.PROCESSOR_ERROR_RETRYABLE.failover_allowed
    # outside test mode the card is an ordinary card
    assert _simulator(test_mode=False, card_success_rate=1.0).authorize(_request(last4="0119")).outcome == (
        Outcome.SUCCEEDED
    )


@pytest.mark.parametrize(("rate", "expected"), [(1.0, Outcome.SUCCEEDED), (0.0, Outcome.DECLINED_SOFT)])
def test_live_mode_uses_the_seed_rates(rate: float, expected: Outcome) -> None:
    simulator = _simulator(test_mode=False, card_success_rate=rate, upi_success_rate=rate)
    assert {simulator.authorize(_request(m)).outcome for m in ("card", "upi") for _ in range(20)} == {
        expected
    }


def test_an_unknown_outcome_never_allows_failover() -> None:
    # sent without an answer: it may have been charged, so it is synced, never retried elsewhere
    assert not Outcome.UNKNOWN.failover_allowed
    assert [o for o in Outcome if o.failover_allowed] == [Outcome.PROCESSOR_ERROR_RETRYABLE]


def test_card_data_never_shows_in_a_repr() -> None:
    card = Card(number="4000000000000119", exp_month=12, exp_year=2031, cvc="737")
    request = PaymentRequest("pay_1", 100, "INR", "card", "k", card=card)
    assert card.last4 == "0119"
    for text in (repr(card), repr(request), str(request)):
        assert "4000000000000119" not in text and "737" not in text and "2031" not in text


def test_the_processing_request_of_a_stored_payment() -> None:
    payment = {"id": "pay_9", "amount": 1200, "currency": "USD", "method": "card", "card": {"last4": "0119"}}
    manual = {**payment, "payment_intent_id": "pi_9", "capture_method": "manual"}
    request = authorization_request(manual, attempt=1)
    assert (request.idempotency_key, request.attempt, request.card_last4, request.capture) == (
        "pay_9-1", 1, "0119", False
    )  # fmt: skip
    assert request.card is None  # no PAN at rest outside the vault
    assert authorization_request(payment, 0).capture
    # an order's payment takes the money whatever its stored capture_method (seed contract)
    assert authorization_request({**payment, "capture_method": "manual"}, 0).capture
