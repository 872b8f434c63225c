"""The payments services on moto (``moto_world``: tables from the template, atomic item operations),
for property and concurrency tests that need many fast operations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from paygate.merchants import service as merchants
from paygate.merchants.models import MerchantIn, Principal
from paygate.payments import processing, service, store
from paygate.payments.models import MethodIn, OrderIn, PaymentIn

from tests.unit.moto_world import tables_world, vault_key

MERCHANT = Principal(merchant_id="mer_world", mode="test", key_id="key_test_world")
UPI = {"method": "upi", "vpa": "payer@okaxis"}
TABLES = {
    "PAYMENTS_TABLE": "PaymentsTable",
    "MERCHANTS_TABLE": "MerchantsTable",
    "VAULT_TABLE": "VaultTable",
    "RISK_TABLE": "RiskTable",  # the payment path assesses each first attempt (docs/risk.md)
}


@contextmanager
def payments_world() -> Iterator[None]:
    with tables_world(TABLES), vault_key():
        merchants.create_merchant(
            MerchantIn(name="World Shop", email="world@example.com"), merchant_id=MERCHANT.merchant_id
        )
        yield


def authorized_order_payment(amount: int) -> dict[str, Any]:
    """An order paid by a payment in ``success`` (the processing outcome recorded)."""
    order = service.create_order(MERCHANT, OrderIn(amount=amount))
    payment = service.create_payment(MERCHANT, PaymentIn(order_id=order.id, **UPI))
    assert processing.record_outcome(store.get(payment.id), True) == "success"
    return store.get(payment.id)


def authorized_intent(amount: int) -> dict[str, Any]:
    """A manual-capture intent in ``requires_capture``; returns the intent item."""
    from paygate.payments import intents
    from paygate.payments.models import IntentIn

    intent = intents.create_intent(MERCHANT, IntentIn(amount=amount, capture_method="manual"))
    intents.confirm_intent(MERCHANT, intent.id, MethodIn(**UPI))
    confirmed = store.get(intent.id)
    assert processing.record_outcome(store.get(confirmed["latest_payment_id"]), True) == "success"
    return store.get(intent.id)
