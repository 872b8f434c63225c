"""Privacy export and erasure on moto (customers, vault, payments and merchants tables; the vault's key):
what is exported, what an erasure leaves behind (nothing personal, no vault card), erasing twice,
erasing while an update races, a failure midway finished by the retry, and tenant and mode isolation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from paygate.core import settings as paygate_settings
from paygate.core.errors import NotFound
from paygate.customers import service as customers
from paygate.customers.models import CustomerIn, CustomerUpdate
from paygate.events.catalog import event_types
from paygate.merchants import service as merchants
from paygate.merchants.models import MerchantIn, Principal
from paygate.payments import erasure, intents, processing, service, store
from paygate.payments.models import IntentIn, OrderIn, PaymentIn
from paygate.privacy import service as privacy
from paygate.refunds import service as refunds
from paygate.refunds.models import RefundIn
from paygate.vault import payment_methods
from paygate.vault import service as vault
from paygate.vault.methods_models import PaymentMethodIn
from paygate.webhooks import erasure as webhooks_erasure

from tests.helpers import at_once
from tests.unit.moto_world import tables_world, vault_key
from tests.unit.payments_world import MERCHANT, TABLES

LIVE = Principal(merchant_id=MERCHANT.merchant_id, mode="live", key_id="key_live_world")
OTHER = Principal(merchant_id="mer_other", mode="test", key_id="key_test_other")
PAN = "4242424242424242"
NAME, EMAIL, PHONE = "Grace Hopper", "grace.hopper@example.com", "+14155550123"
HOLDER, VPA, TYPED_HOLDER = "G M Hopper", "grace.hopper@okhdfc", "Grace Typed"
TABLE_NAMES = ("world-CustomersTable", "world-VaultTable", "world-PaymentsTable", "world-MerchantsTable")


@pytest.fixture(autouse=True)
def world() -> Iterator[None]:
    tables = {**TABLES, "CUSTOMERS_TABLE": "CustomersTable", "WEBHOOKS_TABLE": "WebhooksTable"}
    with tables_world(tables, TEST_MODE="true", TEST_PAYMENT_SUCCESS="true"), vault_key():
        paygate_settings._cache.clear()
        for merchant_id in (MERCHANT.merchant_id, OTHER.merchant_id):
            merchants.create_merchant(
                MerchantIn(name="Shop", email=f"{merchant_id}@example.com"), merchant_id=merchant_id
            )
        yield


def _card(holder: str = HOLDER) -> dict[str, Any]:
    return {"number": PAN, "expiry_month": 7, "expiry_year": 2031, "cvv": "123", "holder_name": holder}


def _customer(principal: Principal = MERCHANT, external_id: str | None = "crm-42") -> str:
    data = CustomerIn(name=NAME, email=EMAIL, phone=PHONE, external_id=external_id, metadata={"note": NAME})
    return customers.create_customer(principal, data).id


def _paid(customer: str, method: dict[str, Any], amount: int = 5_000) -> dict[str, Any]:
    order = service.create_order(
        MERCHANT, OrderIn(amount=amount, customer=customer, receipt="r-1", notes={"n": NAME})
    )
    payment = service.create_payment(MERCHANT, PaymentIn(order_id=order.id, **method))
    assert processing.record_outcome(store.get(payment.id), True) == "success"
    return store.get(payment.id)


def _everything() -> str:
    """Every item of every table, as text."""
    client = boto3.client("dynamodb")
    items = [i for name in TABLE_NAMES for i in client.scan(TableName=name)["Items"]]
    return json.dumps(items, default=lambda value: bytes(value).decode("latin-1"))


def _a_customer_with_history() -> dict[str, Any]:
    customer = _customer()
    card = payment_methods.create(
        MERCHANT,
        PaymentMethodIn.model_validate(
            {"type": "card", "card": _card(), "customer": customer, "billing_details": {"name": NAME}}
        ),
    )
    upi = payment_methods.create(
        MERCHANT, PaymentMethodIn.model_validate({"type": "upi", "upi": {"vpa": VPA}, "customer": customer})
    )
    by_upi = _paid(customer, {"method": "upi", "vpa": VPA})
    by_card = _paid(customer, {"method": "card", "card": _card(TYPED_HOLDER)}, 7_000)
    refund = refunds.create_refund(MERCHANT, by_upi["id"], RefundIn(amount=1_000, reason=f"asked by {NAME}"))
    intent = intents.create_intent(
        MERCHANT, IntentIn(amount=900, customer=customer, description=f"for {NAME}")
    )
    return {
        "customer": customer,
        "card": card,
        "upi": upi,
        "payments": [by_upi, by_card],
        "refund": refund,
        "intent": intent,
    }


# --- export ---------------------------------------------------------------------------------------
def test_the_export_holds_the_customer_its_methods_and_payments_and_no_secret() -> None:
    world = _a_customer_with_history()
    exported = privacy.export_customer(MERCHANT, world["customer"])
    assert exported.customer.email == EMAIL and exported.exported_at
    assert {m.id for m in exported.payment_methods} == {world["card"].id, world["upi"].id}
    assert {p.id for p in exported.payments} == {p["id"] for p in world["payments"]}
    assert [r.id for r in exported.refunds] == [world["refund"].id]
    assert len(exported.orders) == 2 and [i.id for i in exported.payment_intents] == [world["intent"].id]
    text = exported.model_dump_json()
    assert PAN not in text and "card_token" not in text and "cvv" not in text and '"123"' not in text
    # and it is audited, ids only
    [record] = privacy.audit_of_customer(MERCHANT, world["customer"], 10, 0).items
    assert (record.action, record.customer, record.actor.id) == (
        "customer.exported",
        world["customer"],
        MERCHANT.key_id,
    )


def test_a_deleted_customer_can_still_be_exported() -> None:
    customer = _customer()
    customers.delete_customer(MERCHANT, customer)
    assert privacy.export_customer(MERCHANT, customer).customer.deleted is True


def test_another_tenant_or_mode_gets_404_on_export_erase_and_audit() -> None:
    customer = _customer()
    for principal in (LIVE, OTHER):
        with pytest.raises(NotFound):
            privacy.export_customer(principal, customer)
        with pytest.raises(NotFound):
            privacy.erase_customer(principal, customer)
        with pytest.raises(NotFound):
            privacy.audit_of_customer(principal, customer, 10, 0)
    assert customers.get_customer(MERCHANT, customer).name == NAME  # nothing erased
    assert privacy.audit_of_customer(MERCHANT, customer, 10, 0).items == []


# --- erase ----------------------------------------------------------------------------------------
def test_erase_leaves_no_personal_data_and_no_vault_card_and_keeps_the_figures() -> None:
    world = _a_customer_with_history()
    customer = world["customer"]
    figures = ("amount", "status", "amount_refunded", "amount_captured", "currency", "created_at")
    before = {p["id"]: [store.get(p["id"])[f] for f in figures] for p in world["payments"]}
    # When the customer is erased, and the Payments context's job runs
    answer = privacy.erase_customer(MERCHANT, customer)
    assert (answer.status, answer.payment_methods_erased) == ("pending", 2)
    erased = customers.exportable(customer, MERCHANT.merchant_id, MERCHANT.mode)
    assert event_types({**erased, "erased_at": None, "version": 1}, erased) == ("customer.erased",)
    counts = erasure.erase_customer_pii(customer, MERCHANT.merchant_id, MERCHANT.mode)
    assert counts == {"payment": 2, "refund": 1, "order": 2, "payment_intent": 1, "setup_intent": 0}
    assert customers.exportable(customer, MERCHANT.merchant_id, MERCHANT.mode)["erasure"] == "pending"
    webhooks_erasure.erase_customer_pii(customer, MERCHANT.merchant_id, MERCHANT.mode)
    # Then no table holds the name, e-mail, phone, VPA, holder names or the merchant's notes on them
    stored = _everything()
    for personal in (NAME, EMAIL, PHONE, VPA, HOLDER, TYPED_HOLDER, "crm-42", "asked by"):
        assert personal not in stored, personal
    assert "CARD#" not in stored  # neither the saved card nor the typed one is left in the vault
    assert f"EMAIL#{MERCHANT.merchant_id}#test#" not in stored
    # and the figures are those of before
    after = {p["id"]: [store.get(p["id"])[f] for f in figures] for p in world["payments"]}
    assert after == before
    # and the export says the erasure is complete, the audit lists the erase
    exported = privacy.export_customer(MERCHANT, customer)
    assert exported.customer.erasure == "complete" and exported.customer.deleted is True
    assert exported.payment_methods == [] and len(exported.payments) == 2
    assert all(p.card is None or p.card.holder_name is None for p in exported.payments)
    actions = [r.action for r in privacy.audit_of_customer(MERCHANT, customer, 10, 0).items]
    assert actions == ["customer.exported", "customer.erased"]
    # and the external id is free again
    assert customers.create_customer(MERCHANT, CustomerIn(external_id="crm-42")).external_id == "crm-42"


def test_erasing_twice_is_fine_and_changes_nothing_the_second_time() -> None:
    world = _a_customer_with_history()
    first = privacy.erase_customer(MERCHANT, world["customer"])
    webhooks_erasure.erase_customer_pii(world["customer"], MERCHANT.merchant_id, MERCHANT.mode)
    assert erasure.erase_customer_pii(world["customer"], MERCHANT.merchant_id, MERCHANT.mode)["payment"] == 2
    item = customers.exportable(world["customer"], MERCHANT.merchant_id, MERCHANT.mode)
    again = privacy.erase_customer(MERCHANT, world["customer"])
    assert (again.status, again.erased_at, again.payment_methods_erased) == ("complete", first.erased_at, 0)
    assert customers.exportable(world["customer"], MERCHANT.merchant_id, MERCHANT.mode) == item
    assert set(
        erasure.erase_customer_pii(world["customer"], MERCHANT.merchant_id, MERCHANT.mode).values()
    ) == {0}


def test_an_update_racing_the_erasure_never_brings_data_back() -> None:
    for n in range(3):
        customer = _customer(external_id=f"race-{n}")

        def update(customer: str = customer) -> str:
            try:
                customers.update_customer(
                    MERCHANT, customer, CustomerUpdate(name="Late Name", email="late@example.com")
                )
            except NotFound:
                return "404"
            return "200"

        outcomes = at_once(lambda c=customer: privacy.erase_customer(MERCHANT, c), update, update)
        item = customers.exportable(customer, MERCHANT.merchant_id, MERCHANT.mode)
        assert (item.get("name"), item.get("email"), item["deleted"]) == (None, None, True), outcomes
        assert "gsi2pk" not in item and "Late Name" not in _everything()


def test_a_failure_midway_is_finished_by_the_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    world = _a_customer_with_history()
    real_destroy = vault.destroy

    def broken(*args: Any) -> bool:
        raise RuntimeError("the vault is down")

    monkeypatch.setattr(vault, "destroy", broken)
    with pytest.raises(RuntimeError):
        privacy.erase_customer(MERCHANT, world["customer"])
    # the failed attempt is not audited, and the method whose card could not be destroyed is still there
    assert privacy.audit_of_customer(MERCHANT, world["customer"], 10, 0).items == []
    assert payment_methods.store.objects.get(world["card"].id) is not None
    monkeypatch.setattr(vault, "destroy", real_destroy)
    answer = privacy.erase_customer(MERCHANT, world["customer"])
    assert answer.payment_methods_erased == 1  # the card's; the VPA went with the failed attempt
    assert payment_methods.every_of_customer(world["customer"], MERCHANT.merchant_id, MERCHANT.mode) == []
    assert [r.action for r in privacy.audit_of_customer(MERCHANT, world["customer"], 10, 0).items] == [
        "customer.erased"
    ]


def test_a_detached_method_is_erased_too_and_another_customers_methods_are_not() -> None:
    customer, neighbour = _customer(), _customer(external_id=None)
    detached = payment_methods.create(
        MERCHANT, PaymentMethodIn.model_validate({"type": "card", "card": _card(), "customer": customer})
    )
    payment_methods.detach(MERCHANT, detached.id)
    kept = payment_methods.create(
        MERCHANT,
        PaymentMethodIn.model_validate(
            {"type": "upi", "upi": {"vpa": "other@okaxis"}, "customer": neighbour}
        ),
    )
    assert privacy.erase_customer(MERCHANT, customer).payment_methods_erased == 1
    assert payment_methods.store.objects.get(detached.id) is None
    assert payment_methods.get(MERCHANT, kept.id).upi.vpa == "other@okaxis"
    assert customers.get_customer(MERCHANT, neighbour).name == NAME
