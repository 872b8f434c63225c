"""The Webhooks half of a customer's erasure (docs/privacy.md): the redaction of a stored event, and the
job over a merchant's deliveries under moto: only the events about the customer, of this merchant and
mode, lose their personal data; ids, amounts, status and dates stay; a re-run writes nothing; the
customer's erasure completes only when both the payments and the webhooks parts are done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from paygate.core import clock
from paygate.core.ids import derived_id
from paygate.customers import service as customers
from paygate.customers.models import CustomerIn
from paygate.merchants.models import Principal
from paygate.payments import erasure as payments_erasure
from paygate.privacy import service as privacy
from paygate.webhooks import erasure, store

from tests.unit.moto_world import tables_world
from tests.unit.payments_world import TABLES

SHOP = Principal(merchant_id="mer_shop", mode="test", key_id="key_test_shop")
NAME, EMAIL, PHONE, VPA, HOLDER = "Ada Lovelace", "ada@example.com", "+4420555", "ada@okhdfc", "A Lovelace"


@pytest.fixture(autouse=True)
def world() -> Iterator[None]:
    tables = {**TABLES, "CUSTOMERS_TABLE": "CustomersTable", "WEBHOOKS_TABLE": "WebhooksTable"}
    with tables_world(tables, TEST_MODE="true"):
        yield


def _customer_event(customer: str, kind: str = "customer.created") -> dict[str, Any]:
    return {
        "specversion": "1.0", "id": f"evt_{kind}_{customer}", "type": kind, "merchantid": SHOP.merchant_id,
        "mode": SHOP.mode, "time": "2030-01-01T00:00:00Z",
        "data": {"id": customer, "object": "customer", "name": NAME, "email": EMAIL, "phone": PHONE,
                 "description": f"likes {NAME}", "external_id": "crm-1", "metadata": {"n": NAME},
                 "mode": "test", "created_at": "2030-01-01T00:00:00Z"},
    }  # fmt: skip


def _payment_event(customer: str, payment: str = "pay_1", mode: str = "test") -> dict[str, Any]:
    return {
        "specversion": "1.0", "id": f"evt_{payment}", "type": "payment.success",
        "merchantid": SHOP.merchant_id, "mode": mode, "time": "2030-01-01T00:00:00Z",
        "data": {"id": payment, "entity": "payment", "customer": customer, "amount": 5_000, "currency": "INR",
                 "status": "success", "vpa": VPA, "method": "card",
                 "card": {"network": "visa", "last4": "4242", "holder_name": HOLDER},
                 "created_at": "2030-01-01T00:00:00Z"},
    }  # fmt: skip


def _stored(event: dict[str, Any], endpoint: str = "we_1", legacy: bool = False) -> str:
    """A delivery of ``event`` as fan-out writes it (the body its own item; or, ``legacy``, in the
    delivery as before bodies had their own item)."""
    body = json.dumps(event, separators=(",", ":"))
    if not legacy:
        store.put_body(event["id"], event["merchantid"], event["mode"], body)
    now = clock.iso_now()
    delivery = {
        "id": derived_id("whd", event["id"], endpoint), "merchant_id": event["merchantid"],
        "mode": event["mode"], "event_id": event["id"], "event_type": event["type"], "endpoint_id": endpoint,
        "url": "https://example.com/hook", "status": "succeeded", "attempt_count": 1, "attempts": [],
        "retries": 0, "created_at": now, "updated_at": now, **({"body": body} if legacy else {}),
    }  # fmt: skip
    store.objects.put_new(store.objects.new_item("delivery", delivery))
    return delivery["id"]


def _sent(delivery_id: str) -> dict[str, Any]:
    return json.loads(store.body_of(store.objects.get(delivery_id)))


# --- the redaction --------------------------------------------------------------------------------
def test_a_customer_event_loses_the_personal_fields_and_keeps_ids_type_and_dates() -> None:
    event = _customer_event("cus_1", "customer.updated")
    redacted = erasure.redacted(event)
    assert event["data"]["name"] == NAME  # the given event is left as it is
    data = redacted["data"]
    assert {k: data[k] for k in ("name", "email", "phone", "description", "external_id")} == dict.fromkeys(
        ("name", "email", "phone", "description", "external_id")
    )
    assert data["metadata"] == {}
    assert (redacted["id"], redacted["type"], redacted["time"]) == (event["id"], event["type"], event["time"])
    assert (data["id"], data["created_at"], data["mode"]) == ("cus_1", "2030-01-01T00:00:00Z", "test")


def test_a_payment_event_loses_holder_name_and_vpa_and_keeps_amounts_status_and_card_figures() -> None:
    data = erasure.redacted(_payment_event("cus_1"))["data"]
    assert (data["vpa"], data["card"]["holder_name"]) == (None, None)
    assert (data["amount"], data["currency"], data["status"], data["customer"]) == (
        5_000,
        "INR",
        "success",
        "cus_1",
    )
    assert (data["card"]["network"], data["card"]["last4"]) == ("visa", "4242")


def test_which_events_concern_the_customer() -> None:
    assert erasure.concerns(_customer_event("cus_1"), "cus_1")
    assert erasure.concerns(_payment_event("cus_1"), "cus_1")
    assert not erasure.concerns(_payment_event("cus_2"), "cus_1")
    assert not erasure.concerns({"type": "ping", "data": {"endpoint_id": "we_1"}}, "cus_1")
    assert not erasure.concerns({"type": "odd", "data": "cus_1"}, "cus_1")


# --- the job --------------------------------------------------------------------------------------
def test_the_job_redacts_only_the_customers_events_of_this_merchant_and_mode_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given deliveries about the customer (two endpoints share one body; one legacy in-item body), about
    # another customer, and about a live customer of the same id space
    mine = [
        _stored(_customer_event("cus_1")),
        _stored(_customer_event("cus_1"), endpoint="we_2"),
        _stored(_payment_event("cus_1")),
        _stored(_payment_event("cus_1", "pay_old"), legacy=True),
    ]
    other = _stored(_payment_event("cus_2", "pay_2"))
    live = _stored(_payment_event("cus_1", "pay_live", mode="live"))
    # When the job runs (pages of 2 deliveries: the listing is read to its end)
    pages = store.deliveries_of
    monkeypatch.setattr(store, "deliveries_of", lambda merchant, mode: pages(merchant, mode, page_size=2))
    counts = erasure.erase_customer_pii("cus_1", SHOP.merchant_id, SHOP.mode)
    # Then the customer's three bodies are redacted (one shared by two deliveries), nothing else
    assert counts == {"deliveries_read": 5, "bodies_redacted": 3}
    for delivery_id in mine:
        sent = json.dumps(_sent(delivery_id))
        for personal in (NAME, EMAIL, PHONE, VPA, HOLDER):
            assert personal not in sent, (delivery_id, personal)
    assert _sent(mine[2])["data"]["amount"] == 5_000 and _sent(mine[2])["data"]["status"] == "success"
    assert _sent(other)["data"]["vpa"] == VPA
    assert _sent(live)["data"]["card"]["holder_name"] == HOLDER  # the live mode's stays (another job's)
    # and a re-run writes nothing
    assert erasure.erase_customer_pii("cus_1", SHOP.merchant_id, SHOP.mode)["bodies_redacted"] == 0


def test_the_erasure_completes_when_both_parts_are_done_in_either_order() -> None:
    for first, second in (("payments", "webhooks"), ("webhooks", "payments")):
        customer = customers.create_customer(SHOP, CustomerIn(name=NAME, email=EMAIL)).id
        assert privacy.erase_customer(SHOP, customer).status == "pending"
        jobs = {"payments": payments_erasure.erase_customer_pii, "webhooks": erasure.erase_customer_pii}
        jobs[first](customer, SHOP.merchant_id, SHOP.mode)
        found = customers.exportable(customer, SHOP.merchant_id, SHOP.mode)
        assert found["erasure"] == "pending" and found[f"{first}_erased_at"]
        jobs[second](customer, SHOP.merchant_id, SHOP.mode)
        found = customers.exportable(customer, SHOP.merchant_id, SHOP.mode)
        assert found["erasure"] == "complete" and found[f"{second}_erased_at"]
        # a part done again changes nothing
        assert not customers.erasure_complete(customer, SHOP.merchant_id, SHOP.mode, "webhooks")


def test_a_customer_not_erased_is_not_marked() -> None:
    customer = customers.create_customer(SHOP, CustomerIn(name=NAME)).id
    erasure.erase_customer_pii(customer, SHOP.merchant_id, SHOP.mode)
    found = customers.exportable(customer, SHOP.merchant_id, SHOP.mode)
    assert "webhooks_erased_at" not in found and found.get("erasure") is None
