"""Provider events applied to payments and refunds (``paygate.payments.provider_events``) on the moto
world: each move from the state it starts from, nothing from any other, every event once (its marker
in the same transaction as its move), and no move before the object's pointer exists."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
from paygate.core import dynamo
from paygate.payments import intents, lifecycle, provider_events, provider_refs, service, store
from paygate.payments.models import IntentIn, MethodIn, OrderIn, PaymentIn
from paygate.refunds import service as refunds
from paygate.refunds.models import RefundIn

from tests.helpers import at_once
from tests.unit.payments_world import (
    MERCHANT,
    UPI,
    authorized_intent,
    authorized_order_payment,
    payments_world,
)

MCA = "mca_World00000001"
_ids = count(1)


@pytest.fixture(scope="module", autouse=True)
def world() -> Iterator[None]:
    """One world for the module (tables from the template take a while): every test makes its own
    objects and events."""
    with payments_world():
        yield


def pointed(kind: str, object_id: str) -> str:
    """A provider reference for the object, with its pointer written (what the attempt path does)."""
    reference = f"pi_ref{next(_ids)}"
    assert dynamo.transact([provider_refs.pointer_put(MCA, reference, kind, object_id)]) is None
    return reference


def event(kind: str, reference: str, event_id: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "merchant_id": MERCHANT.merchant_id,
        "mode": MERCHANT.mode,
        "merchant_connector_id": MCA,
        "connector": "stripe",
        "event_id": event_id or f"evt_{next(_ids)}",
        "kind": kind,
        "provider_reference": reference,
        "raw_type": kind,
        "outcome": "succeeded",
        "provider_code": None,
        "provider_message": None,
        "amount": None,
        "currency": "INR",
        **extra,
    }


def pending_order_payment(amount: int = 5000) -> dict[str, Any]:
    order = service.create_order(MERCHANT, OrderIn(amount=amount))
    return store.get(service.create_payment(MERCHANT, PaymentIn(order_id=order.id, **UPI)).id)


def test_a_pending_payment_succeeds_once_and_a_replay_changes_nothing() -> None:
    payment = pending_order_payment()
    ref = pointed("payment", payment["id"])
    first = event("payment.succeeded", ref, "evt_once")
    assert provider_events.apply(first) == "payment success"
    after = store.get(payment["id"])
    assert after["status"] == "success" and store.get(payment["order_id"])["status"] == "paid"
    # the same event again (the provider's retry, a replay), and twice at once: nothing moves
    assert provider_events.apply(first) == "duplicate"
    assert at_once(lambda: provider_events.apply(first), lambda: provider_events.apply(first)) == [
        "duplicate",
        "duplicate",
    ]
    assert store.get(payment["id"])["version"] == after["version"]
    assert provider_refs.marker(MCA, "evt_once")["applied"] == "payment succeeded"


def test_a_payment_waiting_on_its_challenge_is_decided_by_the_providers_event() -> None:
    """A payer who authenticated on the provider's own 3-D Secure page and never came back: the
    provider's webhook decides the payment (the return's sync or the timeout would otherwise)."""
    for kind, status in (("payment.succeeded", "success"), ("payment.failed", "failed")):
        payment = pending_order_payment()
        waiting = store.change(payment["id"], {"status": "requires_action"}, "#status = :p", p="pending")
        assert dynamo.update(waiting) is not None
        assert provider_events.apply(event(kind, pointed("payment", payment["id"]))) == f"payment {status}"
        assert store.get(payment["id"])["status"] == status


def test_two_deliveries_of_one_event_at_once_apply_it_once() -> None:
    payment = pending_order_payment()
    failed = event(
        "payment.failed", pointed("payment", payment["id"]), "evt_race", provider_code="card_declined"
    )
    results = at_once(*[lambda: provider_events.apply(failed)] * 4)
    assert sorted(results) == ["duplicate"] * 3 + ["payment failed"]
    assert store.get(payment["id"])["error_code"] == "card_declined"


def test_no_pointer_yet_raises_and_writes_nothing() -> None:
    payment = pending_order_payment()
    early = event("payment.succeeded", "pi_not_yet_pointed", "evt_early")
    with pytest.raises(provider_events.PointerMissing):
        provider_events.apply(early)
    assert provider_refs.marker(MCA, "evt_early") is None
    assert store.get(payment["id"])["status"] == "pending"
    # once the attempt path has written the pointer, the redelivered event applies
    assert (
        dynamo.transact([provider_refs.pointer_put(MCA, "pi_not_yet_pointed", "payment", payment["id"])])
        is None
    )
    assert provider_events.apply(early) == "payment success"


def test_a_pointer_cannot_be_moved_to_another_object() -> None:
    ref = pointed("payment", "pay_first")
    assert (
        dynamo.transact([provider_refs.pointer_put(MCA, ref, "payment", "pay_first")]) is None
    )  # again: fine
    assert dynamo.transact([provider_refs.pointer_put(MCA, ref, "payment", "pay_other")]) is not None
    assert provider_refs.lookup(MCA, ref) == ("payment", "pay_first")


def test_a_decided_payment_is_not_moved_but_the_event_is_marked() -> None:
    payment = authorized_order_payment(4000)
    ref = pointed("payment", payment["id"])
    assert provider_events.apply(event("payment.succeeded", ref)) == "nothing: payment is success"
    assert store.get(payment["id"])["version"] == payment["version"]


def test_a_pending_payment_fails_with_the_providers_code_and_message() -> None:
    payment = pending_order_payment()
    ref = pointed("payment", payment["id"])
    failed = event("payment.failed", ref, provider_code="card_declined", provider_message="Declined.")
    assert provider_events.apply(failed) == "payment failed"
    after = store.get(payment["id"])
    assert (after["status"], after["error_code"], after["error_description"]) == (
        "failed",
        "card_declined",
        "Declined.",
    )


def test_a_late_failure_fails_a_successful_order_payment_and_reopens_its_order() -> None:
    payment = authorized_order_payment(4000)
    ref = pointed("payment", payment["id"])
    assert provider_events.apply(event("payment.failed", ref)) == "payment failed after success"
    after = store.get(payment["id"])
    order = store.get(payment["order_id"])
    assert after["status"] == "failed" and after["error_code"] == "PAYMENT_FAILED"
    assert (order["status"], order["amount_paid"], order["amount_due"]) == ("attempted", 0, 4000)
    assert lifecycle.violations(after) == []


def test_a_late_failure_sends_an_intent_back_to_requires_payment_method() -> None:
    intent = authorized_intent(6000)
    ref = pointed("payment", intent["latest_payment_id"])
    assert provider_events.apply(event("payment.failed", ref, provider_code="authorization_reversed")) == (
        "payment failed after success"
    )
    after = store.get(intent["id"])
    assert after["status"] == "requires_payment_method" and after["amount_capturable"] == 0
    assert after["last_payment_error"]["code"] == "authorization_reversed"


def test_a_late_failure_of_a_refunded_or_captured_payment_changes_nothing() -> None:
    payment = authorized_order_payment(4000)
    refunds.create_refund(MERCHANT, payment["id"], RefundIn(amount=1000))
    ref = pointed("payment", payment["id"])
    assert provider_events.apply(event("payment.failed", ref)).startswith("nothing")
    assert store.get(payment["id"])["status"] == "success"


def test_an_asynchronous_capture_of_an_intent_payment_takes_the_events_amount() -> None:
    intent = authorized_intent(6000)
    ref = pointed("payment", intent["latest_payment_id"])
    assert provider_events.apply(event("payment.captured", ref, amount=5000)) == "payment captured"
    payment = store.get(intent["latest_payment_id"])
    assert (payment["status"], payment["amount_captured"]) == ("captured", 5000)
    assert store.get(intent["id"])["status"] == "succeeded"
    assert store.get(intent["id"])["amount_received"] == 5000
    # more than authorized is refused by the lifecycle: nothing (on a fresh intent)
    other = authorized_intent(6000)
    too_much = event("payment.captured", pointed("payment", other["latest_payment_id"]), amount=7000)
    assert provider_events.apply(too_much).startswith("nothing")
    assert store.get(other["latest_payment_id"])["status"] == "success"


def test_a_capture_of_a_pending_payment_waits_for_its_outcome() -> None:
    payment = pending_order_payment()
    captured = event("payment.captured", pointed("payment", payment["id"]), "evt_capture_early")
    with pytest.raises(provider_events.NotYet):
        provider_events.apply(captured)
    assert provider_refs.marker(MCA, "evt_capture_early") is None
    assert (
        provider_events.apply(event("payment.succeeded", captured["provider_reference"])) == "payment success"
    )
    assert provider_events.apply(captured) == "payment captured"
    assert store.get(payment["id"])["amount_captured"] == 5000


def test_a_refund_is_processed_or_fails_giving_its_amount_back() -> None:
    payment = authorized_order_payment(4000)
    whole = refunds.create_refund(MERCHANT, payment["id"], RefundIn())
    assert store.get(payment["id"])["status"] == "refunded"
    # the refund fails at the provider: the payment is refundable again, as it was
    assert provider_events.apply(event("refund.failed", pointed("refund", whole.id))) == "refund failed"
    after = store.get(payment["id"])
    assert (after["status"], after["amount_refunded"]) == ("success", 0)
    assert store.get(whole.id)["status"] == "failed"
    assert lifecycle.violations(after) == []
    # a new refund, processed by the provider
    part = refunds.create_refund(MERCHANT, payment["id"], RefundIn(amount=1500))
    ref = pointed("refund", part.id)
    assert provider_events.apply(event("refund.processed", ref)) == "refund processed"
    assert store.get(part.id)["status"] == "processed"
    # a later refund.failed for a processed refund changes nothing
    assert provider_events.apply(event("refund.failed", ref)) == "nothing: refund is processed"
    assert store.get(payment["id"])["amount_refunded"] == 1500


def test_an_event_never_moves_another_merchants_or_modes_object() -> None:
    payment = pending_order_payment()
    ref = pointed("payment", payment["id"])
    for other in ({"merchant_id": "mer_other"}, {"mode": "live"}):
        assert provider_events.apply(event("payment.succeeded", ref, **other)).startswith("nothing")
    assert store.get(payment["id"])["status"] == "pending"


def test_an_event_kind_that_does_not_fit_the_object_changes_nothing() -> None:
    payment = authorized_order_payment(3000)
    # Stripe's charge.refunded names the PaymentIntent: it does not say which refund
    assert provider_events.apply(event("refund.processed", pointed("payment", payment["id"]))).startswith(
        "nothing"
    )
    assert store.get(payment["id"])["version"] == payment["version"]


def test_an_intent_created_with_automatic_capture_is_captured_on_success() -> None:
    intent = intents.create_intent(MERCHANT, IntentIn(amount=2500, capture_method="automatic"))
    intents.confirm_intent(MERCHANT, intent.id, MethodIn(**UPI))
    payment_id = store.get(intent.id)["latest_payment_id"]
    assert provider_events.apply(event("payment.succeeded", pointed("payment", payment_id))) == (
        "payment captured"
    )
    assert store.get(intent.id)["status"] == "succeeded"
