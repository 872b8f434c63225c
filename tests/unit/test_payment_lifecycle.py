"""The payment state machine under random sequences and concurrent pairs of capture, partial capture,
refund and cancel (hypothesis), and under many-way races (threads).

After every step: ``refunded <= taken <= authorized``, the status agrees with the amounts, the refunds
stored add up to ``amount_refunded``, the intent agrees with its payment, and the outcome is the one an
independent reference model gives. A concurrent pair must end as one of its two serial orders would
(linearizable): accepted and refused alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paygate.core.errors import PaygateError
from paygate.payments import intents, lifecycle, processing, service, store
from paygate.payments.models import CaptureIn, IntentCaptureIn, OrderIn, PaymentIn
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


# --- the reference model: the rules, written independently of the services ---------------
@dataclass(frozen=True)
class Model:
    kind: str  # "order" | "intent"
    amount: int
    status: str = "success"
    captured: int = 0
    refunded: int = 0

    @property
    def taken(self) -> int:
        if self.captured:
            return self.captured
        return self.amount if self.kind == "order" and self.status in ("success", "refunded") else 0

    def apply(self, op: tuple[Any, ...]) -> tuple[bool, Model]:
        name, value = op[0], op[1] if len(op) > 1 else None
        if name == "capture":
            if self.status != "success":
                return False, self
            if self.kind == "order":
                if value is not None and value != self.amount:
                    return False, self
                return True, replace(self, status="captured", captured=self.amount)
            amount = self.amount if value is None else value
            if amount > self.amount:
                return False, self
            return True, replace(self, status="captured", captured=amount)
        if name == "refund":
            refundable = (self.status == "success" and self.kind == "order") or self.status == "captured"
            left = self.taken - self.refunded
            amount = left if value is None else value
            if not refundable or not 0 < amount <= left:
                return False, self
            refunded = self.refunded + amount
            return True, replace(
                self, refunded=refunded, status="refunded" if refunded == self.taken else self.status
            )
        if name == "cancel":
            if self.kind != "intent" or self.status != "success":
                return False, self
            return True, replace(self, status="canceled")
        raise AssertionError(op)


# --- driving the services --------------------------------------------------------------------------
@dataclass
class Subject:
    kind: str
    payment_id: str
    intent_id: str | None = None

    def run(self, op: tuple[Any, ...]) -> bool:
        """The operation through the services as the API calls them; True when it was accepted."""
        name, value = op[0], op[1] if len(op) > 1 else None
        try:
            if name == "capture" and self.kind == "order":
                service.capture_payment(MERCHANT, self.payment_id, CaptureIn(amount=value))
            elif name == "capture":
                intents.capture_intent(MERCHANT, self.intent_id, IntentCaptureIn(amount_to_capture=value))
            elif name == "refund":
                refunds.create_refund(MERCHANT, self.payment_id, RefundIn(amount=value))
            elif name == "cancel" and self.kind == "intent":
                intents.cancel_intent(MERCHANT, self.intent_id)
            else:
                return False  # orders have no cancel
        except PaygateError as exc:
            assert exc.status in (400, 404), f"{op}: {exc.status} {exc.description}"
            return False
        return True

    def observed(self) -> tuple[str, int, int]:
        payment = store.get(self.payment_id)
        return payment["status"], payment.get("amount_captured", 0), payment.get("amount_refunded", 0)

    def check(self) -> None:
        payment = store.get(self.payment_id)
        assert lifecycle.violations(payment) == [], payment
        refunds_made = store.list_children(self.payment_id, 100, 0).items
        assert sum(r["amount"] for r in refunds_made) == payment["amount_refunded"]
        assert payment["amount_refunded"] <= lifecycle.taken(payment)
        if self.intent_id:
            intent = store.get(self.intent_id)
            expected = {
                "success": "requires_capture",
                "captured": "succeeded",
                "refunded": "succeeded",
                "canceled": "canceled",
            }[payment["status"]]
            assert intent["status"] == expected, (intent["status"], payment["status"])
            if expected == "succeeded":
                assert intent["amount_received"] == payment["amount_captured"]


def new_subject(kind: str, amount: int) -> Subject:
    if kind == "order":
        return Subject("order", authorized_order_payment(amount)["id"])
    intent = authorized_intent(amount)
    return Subject("intent", intent["latest_payment_id"], intent["id"])


# --- strategies ---------------------------------------------------------------------------------
AMOUNT = 10_000
maybe_amount = st.one_of(st.none(), st.integers(min_value=100, max_value=AMOUNT + 500))
op = st.one_of(
    st.tuples(st.just("capture"), maybe_amount),
    st.tuples(st.just("refund"), st.one_of(st.none(), st.integers(min_value=1, max_value=AMOUNT + 500))),
    st.tuples(st.just("cancel")),
)
step = st.one_of(st.tuples(st.just("serial"), op), st.tuples(st.just("pair"), op, op))


def test_random_sequences_and_concurrent_pairs_keep_the_money_right() -> None:
    with payments_world():

        @settings(
            max_examples=60,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(kind=st.sampled_from(["order", "intent"]), steps=st.lists(step, min_size=1, max_size=6))
        def run(kind: str, steps: list[tuple[Any, ...]]) -> None:
            subject = new_subject(kind, AMOUNT)
            model = Model(kind, AMOUNT)
            for found in steps:
                if found[0] == "serial":
                    accepted = subject.run(found[1])
                    ok, model = model.apply(found[1])
                    assert accepted == ok, (found, model)
                else:
                    first, second = found[1], found[2]
                    results = at_once(lambda a=first: subject.run(a), lambda b=second: subject.run(b))
                    outcomes = []
                    for order in ((first, second), (second, first)):
                        ok1, after1 = model.apply(order[0])
                        ok2, after2 = after1.apply(order[1])
                        serial_results = [ok1, ok2] if order[0] is first else [ok2, ok1]
                        outcomes.append((serial_results, after2))
                    matches = [
                        after
                        for serial_results, after in outcomes
                        if serial_results == results
                        and (after.status, after.captured, after.refunded) == subject.observed()
                    ]
                    assert matches, (found, results, subject.observed(), outcomes)
                    model = matches[0]
                subject.check()
                assert subject.observed() == (model.status, model.captured, model.refunded)

        run()


def test_an_authorization_is_never_refunded() -> None:
    """Item 1: refund 9000 of a 10000 authorization, then capture 100 (or cancel): refused up front."""
    with payments_world():
        subject = new_subject("intent", 10_000)
        assert not subject.run(("refund", 9_000))
        assert subject.run(("capture", 100))
        assert subject.observed() == ("captured", 100, 0)
        assert not subject.run(("refund", 101))
        assert subject.run(("refund", 100))
        subject.check()
        other = new_subject("intent", 10_000)
        assert not other.run(("refund", 5_000))
        assert other.run(("cancel",))
        assert other.observed() == ("canceled", 0, 0)
        other.check()


def test_a_full_refund_racing_a_partial_capture_never_refunds_more_than_captured() -> None:
    """Item 2, eight rounds: the refund is refused or meets the captured 100 as its ceiling."""
    with payments_world():
        for _ in range(8):
            subject = new_subject("intent", 10_000)
            at_once(lambda s=subject: s.run(("refund", None)), lambda s=subject: s.run(("capture", 100)))
            subject.check()
            _status, captured, refunded = subject.observed()
            assert refunded <= captured <= 100
            # after the capture, a full refund and a second one race for the same 100
            at_once(lambda s=subject: s.run(("refund", None)), lambda s=subject: s.run(("refund", 60)))
            subject.check()
            assert subject.observed()[2] <= 100


def test_thirty_concurrent_partial_refunds_leave_the_payment_refunded() -> None:
    """Item 3: together they refund everything, so the status is ``refunded`` and capture is refused."""
    with payments_world():
        for kind in ("order", "intent"):
            subject = new_subject(kind, 3_000)
            if kind == "intent":
                assert subject.run(("capture", None))
            results = at_once(*[lambda s=subject: s.run(("refund", 100)) for _ in range(30)])
            assert all(results), results
            subject.check()
            assert subject.observed()[0] == "refunded"
            assert subject.observed()[2] == 3_000
            assert not subject.run(("capture", None))
            assert not subject.run(("refund", 1))


def test_capture_racing_cancel_one_wins() -> None:
    with payments_world():
        for _ in range(5):
            subject = new_subject("intent", 5_000)
            results = at_once(
                lambda s=subject: s.run(("capture", 2_000)), lambda s=subject: s.run(("cancel",))
            )
            assert sorted(results) == [False, True]
            subject.check()


def test_two_payments_of_one_order_succeeding_at_once_pay_it_once() -> None:
    """Outcome racing outcome: the order is paid by exactly one; the other fails PARENT_NOT_PAYABLE."""
    with payments_world():
        for _ in range(5):
            order = service.create_order(MERCHANT, OrderIn(amount=4_000))
            first = service.create_payment(MERCHANT, PaymentIn(order_id=order.id, **UPI))
            second = service.create_payment(MERCHANT, PaymentIn(order_id=order.id, **UPI))
            outcomes = at_once(
                lambda p=first.id: processing.record_outcome(store.get(p), True) == "success",
                lambda p=second.id: processing.record_outcome(store.get(p), True) == "success",
            )
            assert sorted(outcomes) == [False, True]
            paid = store.get(order.id)
            assert (paid["status"], paid["amount_paid"], paid["amount_due"]) == ("paid", 4_000, 0)
            loser = store.get(second.id if outcomes[0] else first.id)
            assert (loser["status"], loser["error_code"]) == ("failed", "PARENT_NOT_PAYABLE")
            for payment_id in (first.id, second.id):
                assert lifecycle.violations(store.get(payment_id)) == []
