"""The Razorpay connector through the official SDK against the contract fake (tests/fakes/razorpay_server.py)
started as its own process on a free loopback port."""

from __future__ import annotations

import json
import logging
import socket
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import pytest
import requests
from paygate.connectors.base import Card, Connector, InvalidSignature, Outcome, PaymentRequest
from paygate.connectors.razorpay_connector import RazorpayConnector, classify_reason

from tests.servers import razorpay_fake as razorpay_fake_server

KEY_ID = "rzp_test_Kq1x2y3z4w5v6u"
KEY_SECRET = "rzp_secret_do_not_leak_8f7e6d5c"
WEBHOOK_SECRET = "whsec_razorpay_do_not_leak_1a2b"
GOOD_CARD = "4111111111111111"


@pytest.fixture(scope="module")
def razorpay_fake() -> Iterator[str]:
    """The fake as a real process (tests/servers.py)."""
    with razorpay_fake_server(KEY_ID, KEY_SECRET) as (url, stderr):
        yield url
    assert not any(GOOD_CARD in line for line in stderr)  # the fake never logs card data


@pytest.fixture
def fake(razorpay_fake: str) -> Iterator[str]:
    """The fake's URL, answering normally again after each test."""
    yield razorpay_fake
    set_mode(razorpay_fake, "normal")


def set_mode(url: str, mode: str, path: str = "/v1") -> None:
    requests.post(f"{url}/_fake/mode", json={"mode": mode, "path": path}, timeout=5).raise_for_status()


def connector(url: str, secret: str = KEY_SECRET, timeout: float = 5.0) -> RazorpayConnector:
    return RazorpayConnector(KEY_ID, secret, base_url=url, timeout=timeout)


def card_payment(number: str = GOOD_CARD, amount: int = 50_000, capture: bool = True) -> PaymentRequest:
    card = Card(number=number, exp_month=12, exp_year=2030, cvc="123", holder="Asha Rao")
    return PaymentRequest(
        payment_id="pay_" + uuid.uuid4().hex[:14],
        amount=amount,
        currency="INR",
        method="card",
        idempotency_key="att_" + uuid.uuid4().hex,
        capture=capture,
        card=card,
        metadata={"email": "asha@example.com", "contact": "+919000090000"},
    )


def test_it_implements_the_connector_interface(fake: str) -> None:
    assert isinstance(connector(fake), Connector)


def test_authorize_with_auto_capture_captures(fake: str) -> None:
    # Given / When
    result = connector(fake).authorize(card_payment(capture=True))
    # Then: Razorpay's auto-capture (payment_capture=1 on the order)
    assert result.outcome is Outcome.SUCCEEDED
    assert result.raw_status == "captured"
    assert result.provider_reference is not None and result.provider_reference.startswith("pay_")
    assert (result.amount, result.currency, result.connector) == (50_000, "INR", "razorpay")


def test_a_repeated_authorize_charges_once(fake: str) -> None:
    # Given an attempt that charged
    rzp = connector(fake)
    request = card_payment()
    first = rzp.authorize(request)
    # When it is repeated (SQS redelivery) with the same idempotency key
    second = rzp.authorize(request)
    # Then the same payment answers, and the order holds one payment
    assert second.provider_reference == first.provider_reference
    assert second.outcome is Outcome.SUCCEEDED
    order_id = rzp._client.payment.fetch(first.provider_reference)["order_id"]
    assert rzp._client.order.payments(order_id)["count"] == 1


def test_manual_capture_then_partial_refunds(fake: str) -> None:
    rzp = connector(fake)
    # Given an authorization only
    authorized = rzp.authorize(card_payment(amount=30_000, capture=False))
    assert (authorized.outcome, authorized.raw_status) == (Outcome.SUCCEEDED, "authorized")
    reference = authorized.provider_reference
    assert reference is not None
    # When captured (twice: a repeat answers from the payment's state)
    captured = rzp.capture(reference, 30_000, "INR", "cap_1")
    again = rzp.capture(reference, 30_000, "INR", "cap_1")
    # Then
    assert (captured.outcome, captured.raw_status) == (Outcome.SUCCEEDED, "captured")
    assert (again.outcome, again.raw_status) == (Outcome.SUCCEEDED, "captured")
    # When refunded in part, the same refund repeated, then the rest
    part = rzp.refund(reference, 10_000, "INR", "rfk_1")
    repeat = rzp.refund(reference, 10_000, "INR", "rfk_1")
    rest = rzp.refund(reference, 20_000, "INR", "rfk_2")
    # Then
    assert part.outcome is Outcome.SUCCEEDED and part.provider_reference is not None
    assert part.provider_reference.startswith("rfnd_") and part.amount == 10_000
    assert repeat.provider_reference == part.provider_reference
    assert rest.outcome is Outcome.SUCCEEDED and rest.provider_reference != part.provider_reference
    synced = rzp.sync(reference)
    assert synced.raw_status == "refunded" and synced.details["amount_refunded"] == "30000"
    assert rzp.sync(part.provider_reference).raw_status == "processed"


def test_a_refund_above_what_is_left_is_a_processor_error(fake: str) -> None:
    rzp = connector(fake)
    reference = rzp.authorize(card_payment(amount=10_000)).provider_reference
    assert reference is not None
    result = rzp.refund(reference, 20_000, "INR", "rfk_big")
    assert result.outcome is Outcome.PROCESSOR_ERROR
    assert result.provider_code == "BAD_REQUEST_ERROR"
    assert result.provider_message == "The refund amount provided is greater than amount captured"


def test_sync_reports_the_payment(fake: str) -> None:
    rzp = connector(fake)
    authorized = rzp.authorize(card_payment(capture=False))
    assert authorized.provider_reference is not None
    synced = rzp.sync(authorized.provider_reference)
    assert (synced.outcome, synced.raw_status, synced.amount) == (Outcome.SUCCEEDED, "authorized", 50_000)
    assert synced.details["network"] == "Visa"


def test_void_of_an_authorization_is_pending_release(fake: str) -> None:
    rzp = connector(fake)
    reference = rzp.authorize(card_payment(capture=False)).provider_reference
    assert reference is not None
    voided = rzp.void(reference, "void_1")
    assert (voided.outcome, voided.raw_status) == (Outcome.PENDING, "authorized")
    captured = rzp.authorize(card_payment()).provider_reference
    assert captured is not None
    assert rzp.void(captured, "void_2").outcome is Outcome.PROCESSOR_ERROR


@pytest.mark.parametrize(
    ("number", "outcome", "reason"),
    [
        ("4000000000000002", Outcome.DECLINED_SOFT, "card_declined"),
        ("4000000000009995", Outcome.DECLINED_SOFT, "insufficient_funds"),
        ("4000000000000127", Outcome.DECLINED_HARD, "incorrect_card_details"),
        ("4000000000000069", Outcome.DECLINED_HARD, "card_expired"),
        ("4000000000000119", Outcome.PROCESSOR_ERROR_RETRYABLE, "gateway_technical_error"),
    ],
)
def test_a_declined_card(fake: str, number: str, outcome: Outcome, reason: str) -> None:
    rzp = connector(fake)
    result = rzp.authorize(card_payment(number=number))
    assert result.outcome is outcome
    assert result.provider_code == "BAD_REQUEST_ERROR"
    assert result.details["reason"] == reason
    assert result.provider_message and result.provider_message.startswith("Your payment")
    # the failed payment is kept by Razorpay, and sync classifies it the same way
    assert result.provider_reference is not None
    synced = rzp.sync(result.provider_reference)
    assert (synced.outcome, synced.raw_status) == (outcome, "failed")
    assert synced.provider_message == result.provider_message


def test_a_challenged_card_requires_action(fake: str) -> None:
    result = connector(fake).authorize(card_payment(number="4000002500003155"))
    assert result.outcome is Outcome.REQUIRES_ACTION
    assert result.next_action_url == f"{fake}/v1/payments/{result.provider_reference}/authenticate"


def test_a_wrong_key_is_a_processor_error(fake: str) -> None:
    result = connector(fake, secret="wrong_secret").authorize(card_payment())
    assert result.outcome is Outcome.PROCESSOR_ERROR
    assert (result.provider_code, result.provider_message) == ("BAD_REQUEST_ERROR", "Authentication failed")
    assert result.details["http_status"] == "401"


@pytest.mark.parametrize("mode", ["outage", "gateway_error"])
def test_an_outage_is_retryable(fake: str, mode: str) -> None:
    set_mode(fake, mode)
    result = connector(fake).authorize(card_payment())
    assert result.outcome is Outcome.PROCESSOR_ERROR_RETRYABLE
    assert result.outcome.failover_allowed
    assert result.provider_code == {"outage": "SERVER_ERROR", "gateway_error": "GATEWAY_ERROR"}[mode]


def test_a_refused_connection_is_retryable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = connector(f"http://127.0.0.1:{port}", timeout=2).authorize(card_payment())
    assert result.outcome is Outcome.PROCESSOR_ERROR_RETRYABLE


def test_a_hang_after_sending_is_unknown_and_sync_finds_the_charge(fake: str) -> None:
    # Given Razorpay applies the payment but its answer never arrives
    set_mode(fake, "hang", path="/v1/payments/create")
    rzp = connector(fake, timeout=0.5)
    request = card_payment()
    # When
    result = rzp.authorize(request)
    # Then: it may have charged; no failover
    assert result.outcome is Outcome.UNKNOWN
    assert not result.outcome.failover_allowed
    assert result.provider_reference is not None and result.provider_reference.startswith("order_")
    # And sync on the answer's reference finds the payment made
    set_mode(fake, "normal")
    synced = rzp.sync(result.provider_reference)
    assert (synced.outcome, synced.raw_status) == (Outcome.SUCCEEDED, "captured")
    # And repeating the attempt does not charge again
    assert rzp.authorize(request).provider_reference == synced.provider_reference


def make_webhook(url: str, event: str, entity_id: str, secret: str = WEBHOOK_SECRET) -> dict[str, Any]:
    answer = requests.post(
        f"{url}/_fake/webhook", json={"event": event, "entity_id": entity_id, "secret": secret}, timeout=5
    )
    answer.raise_for_status()
    return answer.json()


def test_webhooks_with_a_good_signature(fake: str) -> None:
    rzp = connector(fake)
    payment = rzp.authorize(card_payment()).provider_reference
    assert payment is not None
    refund = rzp.refund(payment, 1_000, "INR", "rfk_wh").provider_reference
    assert refund is not None
    declined = rzp.authorize(card_payment(number="4000000000009995")).provider_reference
    assert declined is not None
    cases = [
        ("payment.captured", payment, "payment.captured", Outcome.SUCCEEDED, payment),
        ("payment.failed", declined, "payment.failed", Outcome.DECLINED_SOFT, declined),
        ("refund.processed", refund, "refund.processed", Outcome.SUCCEEDED, refund),
    ]
    for raw_type, entity_id, kind, outcome, reference in cases:
        hook = make_webhook(fake, raw_type, entity_id)
        event = rzp.parse_webhook(hook["body"].encode(), hook["headers"], WEBHOOK_SECRET)
        assert (event.kind, event.raw_type, event.result.outcome) == (kind, raw_type, outcome)
        assert event.provider_reference == reference
        assert event.event_id == hook["headers"]["X-Razorpay-Event-Id"]


def test_webhooks_with_a_bad_signature_are_refused(fake: str) -> None:
    rzp = connector(fake)
    payment = rzp.authorize(card_payment()).provider_reference
    assert payment is not None
    hook = make_webhook(fake, "payment.captured", payment)
    body = hook["body"].encode()
    with pytest.raises(InvalidSignature):  # signed with another secret
        rzp.parse_webhook(
            body, make_webhook(fake, "payment.captured", payment, "other")["headers"], WEBHOOK_SECRET
        )
    with pytest.raises(InvalidSignature):  # body changed after signing
        rzp.parse_webhook(body.replace(b"captured", b"refunded"), hook["headers"], WEBHOOK_SECRET)
    with pytest.raises(InvalidSignature):  # no signature
        rzp.parse_webhook(body, {"X-Razorpay-Event-Id": "e1"}, WEBHOOK_SECRET)
    with pytest.raises(InvalidSignature):  # a signature hmac cannot compare
        rzp.parse_webhook(body, {**hook["headers"], "X-Razorpay-Signature": "é"}, WEBHOOK_SECRET)


def test_no_secret_or_card_number_in_repr_results_or_logs(
    fake: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)  # requests / urllib3 debug logs included
    rzp = connector(fake)
    request = card_payment()
    results = [
        rzp.authorize(request),
        rzp.authorize(card_payment(number="4000000000000002")),
        connector(fake, secret="wrong_secret").authorize(card_payment()),
    ]
    set_mode(fake, "outage")
    results.append(rzp.authorize(card_payment()))
    set_mode(fake, "hang", path="/v1/payments/create")
    results.append(connector(fake, timeout=0.3).authorize(card_payment()))
    set_mode(fake, "normal")
    printed = capsys.readouterr()
    seen = " ".join(
        [repr(rzp), str(rzp), repr(request), str(request), caplog.text, printed.out, printed.err]
        + [repr(r) + json.dumps(asdict(r), default=str) for r in results]
    )
    for secret in (KEY_SECRET, GOOD_CARD, "4000000000000002", WEBHOOK_SECRET):
        assert secret not in seen


@pytest.mark.parametrize(
    ("reason", "source", "step", "outcome"),
    [
        ("card_declined", "issuer_bank", "payment_authorization", Outcome.DECLINED_SOFT),
        ("insufficient_funds", "customer", "payment_authorization", Outcome.DECLINED_SOFT),
        ("incorrect_card_details", "customer", "payment_authentication", Outcome.DECLINED_HARD),
        ("card_stolen", "issuer_bank", "payment_authorization", Outcome.DECLINED_HARD),
        ("gateway_technical_error", "gateway", "payment_authorization", Outcome.PROCESSOR_ERROR_RETRYABLE),
        ("some_new_issuer_reason", "issuer_bank", "payment_authorization", Outcome.DECLINED_SOFT),
        ("some_new_issuer_reason", "business", "payment_initiation", Outcome.PROCESSOR_ERROR),
        ("input_validation_failed", "customer", "payment_authorization", Outcome.PROCESSOR_ERROR),
        ("NA", "NA", "NA", Outcome.PROCESSOR_ERROR),
    ],
)
def test_the_classification_table(reason: str, source: str, step: str, outcome: Outcome) -> None:
    assert classify_reason(reason, source, step) is outcome
