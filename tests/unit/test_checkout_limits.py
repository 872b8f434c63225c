"""The checkout's floor against card testing, on moto: the client budget holds under concurrency, the
backoff grows with declines, and a suspended merchant's in-flight payment fails before the processor."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from paygate.core import clock, dynamo
from paygate.core.errors import TooManyAttempts
from paygate.core.settings import Processing
from paygate.merchants import service as merchants
from paygate.merchants.models import MerchantUpdate
from paygate.payments import checkout_limits, processing, service, store
from paygate.payments.models import OrderIn, PaymentIn

from tests.unit.payments_world import MERCHANT, UPI, payments_world


def test_backoff_doubles_past_the_free_declines() -> None:
    free = checkout_limits.FREE_DECLINES
    assert [checkout_limits.backoff_seconds(n) for n in range(free)] == [0] * free
    assert checkout_limits.backoff_seconds(free) == checkout_limits.DECLINE_BACKOFF
    assert checkout_limits.backoff_seconds(free + 2) == 4 * checkout_limits.DECLINE_BACKOFF
    assert checkout_limits.backoff_seconds(free + 40) == checkout_limits.MAX_BACKOFF


def test_concurrent_attempts_never_exceed_the_client_budget() -> None:
    with payments_world():
        key = checkout_limits.client_key("198.51.100.7")
        admitted: list[bool] = []
        barrier = threading.Barrier(45)

        def attempt() -> None:
            barrier.wait()
            try:
                checkout_limits.admit(key)
                admitted.append(True)
            except TooManyAttempts:
                admitted.append(False)

        threads = [threading.Thread(target=attempt) for _ in range(45)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert admitted.count(True) == checkout_limits.CLIENT_ATTEMPTS
        counter = dynamo.get(store.table(), key["pk"], key["sk"])
        assert counter["attempts"] == checkout_limits.CLIENT_ATTEMPTS
        assert "type" not in counter  # not an API object: the outbox publishes nothing for it


def test_a_decline_past_the_free_ones_makes_the_client_wait() -> None:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    clock.set_clock(lambda: start)
    try:
        with payments_world():
            key = checkout_limits.client_key("198.51.100.8")
            for _ in range(checkout_limits.FREE_DECLINES):
                checkout_limits.admit(key)
                assert dynamo.transact([checkout_limits.decline_counted(key, start.timestamp())]) is None
            with pytest.raises(TooManyAttempts) as refused:
                checkout_limits.admit(key)
            assert refused.value.retry_after == checkout_limits.DECLINE_BACKOFF
            later = start + timedelta(seconds=checkout_limits.DECLINE_BACKOFF)
            clock.set_clock(lambda: later)
            checkout_limits.admit(key)
    finally:
        clock.set_clock(None)


def test_a_suspended_merchants_payment_fails_before_the_processor() -> None:
    with payments_world():
        order = service.create_order(MERCHANT, OrderIn(amount=5_000))
        payment = service.create_payment(MERCHANT, PaymentIn(order_id=order.id, **UPI))
        merchants.update_merchant(MERCHANT.merchant_id, MerchantUpdate(status="suspended"))
        settings = Processing(test_mode=True, test_payment_success=True)
        assert processing.process(store.get(payment.id), 0, settings) == "failed"
        failed = store.get(payment.id)
        assert failed["error_code"] == "MERCHANT_UNAVAILABLE"
        assert store.get(order.id)["status"] == "attempted"
