"""Stripe webhooks the connector verifies (stripe's construct_event) and normalizes. The events are signed
here exactly as Stripe signs them (``t=<unix>,v1=<HMAC-SHA256 of "t.body">``) for the types localstripe
never sends (amount_capturable_updated, charge.refunded, refund.updated); test_stripe_connector.py has
the ones localstripe sends itself."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from paygate.connectors.base import InvalidSignature, Outcome
from paygate.connectors.stripe_connector import StripeConnector

SECRET = "whsec_k17webhooks"
CONNECTOR = StripeConnector("sk_test_k17webhooks", api_base="http://127.0.0.1:9")  # never called


def signed(
    event: dict[str, Any], secret: str = SECRET, at: int | None = None
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event).encode()
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "Stripe-Signature": f"t={timestamp},v1={mac}"}


def event(kind: str, obj: dict[str, Any], event_id: str = "evt_1K17") -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def intent(**changes: Any) -> dict[str, Any]:
    return {
        "id": "pi_3K17",
        "object": "payment_intent",
        "amount": 7000,
        "currency": "inr",
        "status": "succeeded",
        "capture_method": "automatic",
        **changes,
    }


@pytest.mark.parametrize(
    ("kind", "obj", "normalized", "outcome", "reference"),
    [
        ("payment_intent.succeeded", intent(), "payment.succeeded", Outcome.SUCCEEDED, "pi_3K17"),
        (
            "payment_intent.succeeded",
            intent(capture_method="manual"),
            "payment.captured",
            Outcome.SUCCEEDED,
            "pi_3K17",
        ),
        (
            "payment_intent.amount_capturable_updated",
            intent(status="requires_capture", capture_method="manual"),
            "payment.succeeded",
            Outcome.SUCCEEDED,
            "pi_3K17",
        ),
        (
            "payment_intent.payment_failed",
            intent(
                status="requires_payment_method",
                last_payment_error={"code": "card_declined", "decline_code": "lost_card", "message": "Lost."},
            ),
            "payment.failed",
            Outcome.DECLINED_HARD,
            "pi_3K17",
        ),
        (
            "charge.refunded",
            {
                "id": "ch_3K17",
                "object": "charge",
                "payment_intent": "pi_3K17",
                "amount_refunded": 2000,
                "currency": "inr",
                "status": "succeeded",
            },
            "refund.processed",
            Outcome.SUCCEEDED,
            "pi_3K17",
        ),
        (
            "refund.updated",
            {
                "id": "re_3K17",
                "object": "refund",
                "status": "succeeded",
                "amount": 2000,
                "currency": "inr",
                "payment_intent": "pi_3K17",
            },
            "refund.processed",
            Outcome.SUCCEEDED,
            "re_3K17",
        ),
        (
            "refund.updated",
            {
                "id": "re_3K17",
                "object": "refund",
                "status": "failed",
                "amount": 2000,
                "currency": "inr",
                "payment_intent": "pi_3K17",
                "failure_reason": "expired_or_canceled_card",
            },
            "refund.failed",
            Outcome.PROCESSOR_ERROR,
            "re_3K17",
        ),
        ("customer.created", {"id": "cus_K17", "object": "customer"}, "ignored", Outcome.PENDING, "cus_K17"),
    ],
)
def test_events_are_normalized(
    kind: str, obj: dict[str, Any], normalized: str, outcome: Outcome, reference: str
) -> None:
    body, headers = signed(event(kind, obj))
    parsed = CONNECTOR.parse_webhook(body, headers, SECRET)
    assert (parsed.event_id, parsed.raw_type, parsed.kind) == ("evt_1K17", kind, normalized)
    assert parsed.result.outcome is outcome
    assert parsed.provider_reference == reference


def test_the_header_is_found_whatever_its_case() -> None:
    body, headers = signed(event("payment_intent.succeeded", intent()))
    lower = {k.lower(): v for k, v in headers.items()}
    assert CONNECTOR.parse_webhook(body, lower, SECRET).kind == "payment.succeeded"


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(
            lambda b, h: (b, {**h, "Stripe-Signature": h["Stripe-Signature"][:-2] + "00"}), id="bad-mac"
        ),
        pytest.param(lambda b, h: (b.replace(b"7000", b"1"), h), id="body-changed"),
        pytest.param(lambda b, h: (b, {"Content-Type": "application/json"}), id="no-signature"),
        pytest.param(lambda b, h: (b"not json", h), id="not-the-signed-body"),
    ],
)
def test_what_does_not_verify_is_refused(mangle: Any) -> None:
    body, headers = mangle(*signed(event("payment_intent.succeeded", intent())))
    with pytest.raises(InvalidSignature) as raised:
        CONNECTOR.parse_webhook(body, headers, SECRET)
    assert SECRET not in str(raised.value)


def test_other_secret_is_refused() -> None:
    body, headers = signed(event("payment_intent.succeeded", intent()), secret="whsec_someone_else")
    with pytest.raises(InvalidSignature):
        CONNECTOR.parse_webhook(body, headers, SECRET)


def test_a_replay_is_one_event_and_an_old_one_is_refused() -> None:
    # a redelivery carries the same event id: what the webhook endpoint dedupes on
    first = CONNECTOR.parse_webhook(*signed(event("payment_intent.succeeded", intent())), SECRET)
    again = CONNECTOR.parse_webhook(*signed(event("payment_intent.succeeded", intent())), SECRET)
    assert first.event_id == again.event_id == "evt_1K17"
    # a captured delivery replayed later than Stripe's 5-minute tolerance does not verify
    stale = signed(event("payment_intent.succeeded", intent()), at=int(time.time()) - 301)
    with pytest.raises(InvalidSignature):
        CONNECTOR.parse_webhook(*stale, SECRET)
