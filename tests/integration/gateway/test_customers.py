"""/api/v1/customers over HTTP: CRUD and search, external_id unique per merchant and mode, tenant and
mode isolation, bad input named by field, customer.* webhooks, and a customer's payments and refunds."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from localcloud.runtime import LocalCloud

from tests.helpers import wait_for
from tests.integration.gateway.client import Api, error_of
from tests.integration.gateway.conftest import keys_of
from tests.integration.gateway.receiver import Receiver, start_receiver

PATH = "/api/v1/customers"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


def _delete(api: Api, path: str) -> requests.Response:
    return api.session.delete(f"{api.base}{path}", timeout=30)


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_create_get_update_delete(api: Api) -> None:
    # Given a customer with every field
    body = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+919876543210",
        "description": "first customer",
        "metadata": {"tier": "gold", "visits": 3, "vip": True},
        "external_id": _unique("crm"),
        "preferences": {"email": False, "sms": True, "language": "pt-BR"},
    }
    made = api.created(PATH, body)
    assert made["id"].startswith("cus_") and made["object"] == "customer" and made["mode"] == "test"
    assert {k: made[k] for k in body} == body
    assert (made["deleted"], made["default_payment_method"]) == (False, None)
    assert api.get(f"{PATH}/{made['id']}").json() == made
    # When it is changed in part, a null clearing a field
    changed = api.patch(f"{PATH}/{made['id']}", {"phone": None, "preferences": {"language": "en"}})
    assert changed.status_code == 200, changed.text
    updated = changed.json()
    assert updated["phone"] is None and updated["name"] == "Ada Lovelace"
    assert updated["preferences"] == {"email": False, "sms": True, "language": "en"}
    # Then a delete is soft: the answer shows the customer deleted, and it is gone from every route
    gone = _delete(api, f"{PATH}/{made['id']}")
    assert gone.status_code == 200
    assert gone.json()["deleted"] is True and gone.json()["name"] == "Ada Lovelace"
    assert api.get(f"{PATH}/{made['id']}").status_code == 404
    assert api.patch(f"{PATH}/{made['id']}", {"name": "x"}).status_code == 404
    assert _delete(api, f"{PATH}/{made['id']}").status_code == 404
    assert made["id"] not in [c["id"] for c in api.get(PATH, params={"limit": 100}).json()["items"]]
    assert api.get(PATH, params={"external_id": body["external_id"]}).json()["items"] == []


def test_create_is_idempotent_with_a_key(api: Api) -> None:
    headers = {"Idempotency-Key": _unique("idem")}
    first = api.post(PATH, {"name": "Once"}, headers=headers)
    again = api.post(PATH, {"name": "Once"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    other = api.post(PATH, {"name": "Twice"}, headers=headers)
    assert other.status_code == 422


def test_list_and_search_newest_first(api: Api) -> None:
    email = f"{_unique('search')}@example.com"
    older = api.created(PATH, {"email": email, "external_id": _unique("s")})
    newer = api.created(PATH, {"email": email.upper()})
    found = api.get(PATH, params={"email": email}).json()
    assert [c["id"] for c in found["items"]] == [newer["id"], older["id"]] and found["count"] == 2
    page = api.get(PATH, params={"email": email, "limit": 1}).json()
    assert [c["id"] for c in page["items"]] == [newer["id"]] and page["has_more"] is True
    by_external = api.get(PATH, params={"external_id": older["external_id"]}).json()
    assert [c["id"] for c in by_external["items"]] == [older["id"]]
    listed = api.get(PATH, params={"limit": 2}).json()
    assert [c["id"] for c in listed["items"]] == [newer["id"], older["id"]]


def test_external_id_is_unique_per_merchant_and_mode(
    api: Api, gateway: LocalCloud, second_merchant: dict[str, Any]
) -> None:
    external_id = _unique("dup")
    api.created(PATH, {"external_id": external_id})
    duplicate = api.post(PATH, {"external_id": external_id, "name": "twin"})
    assert duplicate.status_code == 409 and error_of(duplicate)["field"] == "external_id"
    other = api.created(PATH, {"name": "other"})
    moved = api.patch(f"{PATH}/{other['id']}", {"external_id": external_id})
    assert moved.status_code == 409 and error_of(moved)["field"] == "external_id"
    # the same external id is free in another merchant's test mode and in live mode
    for mode in ("test", "live"):
        elsewhere = Api.with_key(gateway.url, *keys_of(second_merchant, mode))
        assert elsewhere.created(PATH, {"external_id": external_id})["mode"] == mode


def test_another_merchant_and_the_other_mode_never_see_a_customer(
    api: Api, gateway: LocalCloud, second_merchant: dict[str, Any]
) -> None:
    made = api.created(PATH, {"name": "Mine", "email": "mine@example.com"})
    for mode in ("test", "live"):
        other = Api.with_key(gateway.url, *keys_of(second_merchant, mode))
        assert other.get(f"{PATH}/{made['id']}").status_code == 404
        assert other.patch(f"{PATH}/{made['id']}", {"name": "stolen"}).status_code == 404
        assert _delete(other, f"{PATH}/{made['id']}").status_code == 404
        assert made["id"] not in [c["id"] for c in other.get(PATH, params={"limit": 100}).json()["items"]]
        assert other.get(PATH, params={"email": "mine@example.com"}).json()["items"] == []
        assert other.get(f"{PATH}/{made['id']}/payments").status_code == 404
    # a live key never sees test customers, of its own merchant either
    test_key = Api.with_key(gateway.url, *keys_of(second_merchant, "test"))
    live_key = Api.with_key(gateway.url, *keys_of(second_merchant, "live"))
    test_customer = test_key.created(PATH, {"name": "test side"})
    assert live_key.get(f"{PATH}/{test_customer['id']}").status_code == 404
    assert test_customer["id"] not in [c["id"] for c in live_key.get(PATH).json()["items"]]
    assert api.get(f"{PATH}/{made['id']}").json()["name"] == "Mine"  # untouched


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "98765 43210"}, "phone"),
        ({"phone": "+0123456789"}, "phone"),
        ({"metadata": {"k": 1.5}}, "metadata.k"),
        ({"metadata": {"k": {"nested": 1}}}, "metadata.k"),
        ({"metadata": {f"k{i}": i for i in range(21)}}, "metadata"),
        ({"external_id": "has space"}, "external_id"),
        ({"external_id": "x" * 129}, "external_id"),
        ({"preferences": {"language": "EN_us!"}}, "preferences.language"),
        ({"preferences": {"sms": "yes"}}, "preferences.sms"),
        ({"preferences": {"fax": True}}, "preferences.fax"),
        ({"default_payment_method": "card_123"}, "default_payment_method"),
        ({"default_payment_method": "pm_0000000000000A"}, "default_payment_method"),
        ({"name": "x" * 257}, "name"),
        ({"shoe_size": 42}, "shoe_size"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    before = api.get(PATH, params={"limit": 1}).json()["items"]
    refused = api.post(PATH, body)
    assert refused.status_code == 400, refused.text
    assert error_of(refused)["field"] == field
    assert api.get(PATH, params={"limit": 1}).json()["items"] == before
    # the same on an update, which leaves the customer as it was
    made = api.created(PATH, {"name": "Steady"})
    changed = api.patch(f"{PATH}/{made['id']}", body)
    assert changed.status_code == 400 and error_of(changed)["field"] == field
    assert api.get(f"{PATH}/{made['id']}").json() == made


@pytest.mark.parametrize(
    ("params", "field"),
    [({"email": "nope"}, "email"), ({"external_id": "a b"}, "external_id"), ({"limit": 0}, "limit")],
)
def test_bad_search_is_a_400_naming_the_parameter(api: Api, params: dict[str, Any], field: str) -> None:
    refused = api.get(PATH, params=params)
    assert refused.status_code == 400 and error_of(refused)["field"] == field


def test_customer_events_reach_the_merchant_webhooks(
    admin: Api, gateway: LocalCloud, receiver: Receiver
) -> None:
    # Given a merchant of its own with an endpoint for customer events only
    shop = admin.created("/api/v1/admin/merchants", {"name": "Customer Events", "email": "cev@example.com"})
    merchant = Api.with_key(gateway.url, *keys_of(shop, "test"))
    events = ["customer.created", "customer.updated", "customer.deleted"]
    merchant.created(
        "/api/v1/webhook_endpoints", {"url": receiver.url + "/customers", "enabled_events": events}
    )
    # When a customer is created, updated and deleted
    made = merchant.created(PATH, {"name": "Evented"})
    assert merchant.patch(f"{PATH}/{made['id']}", {"name": "Renamed"}).status_code == 200
    assert _delete(merchant, f"{PATH}/{made['id']}").status_code == 200

    # Then the three events arrive, each with the customer as the API shows it
    def received() -> list[dict[str, Any]] | None:
        events = [json.loads(r.body) for r in receiver.at("/customers")]
        mine = [e for e in events if e["data"]["id"] == made["id"]]
        return mine if len(mine) >= 3 else None

    events = wait_for(received, what="three customer events")
    by_type = {e["type"]: e for e in events}
    assert set(by_type) == {"customer.created", "customer.updated", "customer.deleted"}
    assert by_type["customer.updated"]["data"]["name"] == "Renamed"
    assert by_type["customer.deleted"]["data"]["deleted"] is True


def test_a_customer_on_an_order_and_an_intent_reaches_its_payments_refunds_and_lists(api: Api) -> None:
    # Given a customer, an order and an intent made for it
    customer = api.created(PATH, {"name": "Payer"})
    order = api.order(5_000, customer=customer["id"])
    assert order["customer"] == customer["id"]
    intent = api.created("/api/v1/payment_intents", {"amount": 7_000, "customer": customer["id"]})
    assert intent["customer"] == customer["id"]
    # When the order is paid and refunded, and the intent confirmed
    payment = api.settled(f"/api/v1/payments/{api.payment(order['id'])['id']}")
    assert payment["customer"] == customer["id"]
    refund = api.created(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 1_000})
    assert refund["customer"] == customer["id"]
    confirmed = api.post(
        f"/api/v1/payment_intents/{intent['id']}/confirm", {"method": "upi", "vpa": "payer@okaxis"}
    )
    assert confirmed.status_code == 200, confirmed.text
    intent_payment = api.get(f"/api/v1/payments/{confirmed.json()['latest_payment_id']}").json()
    assert intent_payment["customer"] == customer["id"]
    # Then the customer's lists show them, newest first
    payments = api.get(f"{PATH}/{customer['id']}/payments").json()
    assert [p["id"] for p in payments["items"]] == [intent_payment["id"], payment["id"]]
    assert payments["count"] == 2 and payments["has_more"] is False
    first = api.get(f"{PATH}/{customer['id']}/payments", params={"limit": 1}).json()
    assert [p["id"] for p in first["items"]] == [intent_payment["id"]] and first["has_more"] is True
    refunds = api.get(f"{PATH}/{customer['id']}/refunds").json()
    assert [r["id"] for r in refunds["items"]] == [refund["id"]]
    # and a payment without a customer is in no customer's list
    assert api.paid(1_000)["customer"] is None


def test_a_deleted_or_unknown_customer_cannot_be_charged(
    api: Api, gateway: LocalCloud, second_merchant: dict[str, Any]
) -> None:
    customer = api.created(PATH, {"name": "Leaving"})
    order = api.order(5_000, customer=customer["id"])
    intent = api.created("/api/v1/payment_intents", {"amount": 5_000, "customer": customer["id"]})
    assert _delete(api, f"{PATH}/{customer['id']}").status_code == 200
    for refused in (
        api.post("/api/v1/orders", {"amount": 5_000, "customer": customer["id"]}),
        api.post("/api/v1/payment_intents", {"amount": 5_000, "customer": customer["id"]}),
        api.post("/api/v1/payments", {"order_id": order["id"], "method": "upi", "vpa": "payer@okaxis"}),
        api.post(f"/api/v1/payment_intents/{intent['id']}/confirm", {"method": "upi", "vpa": "payer@okaxis"}),
        api.post("/api/v1/orders", {"amount": 5_000, "customer": "cus_00000000000000"}),
    ):
        assert refused.status_code == 400, refused.text
        assert error_of(refused)["field"] == "customer"
    assert api.get(f"/api/v1/orders/{order['id']}/payments").json()["items"] == []  # nothing written
    assert api.get(f"{PATH}/{customer['id']}/payments").status_code == 404
    assert api.get(f"{PATH}/{customer['id']}/refunds").status_code == 404
    # another merchant's (or mode's) customer is unknown to a key
    mine = api.created(PATH, {"name": "Mine"})
    for mode in ("test", "live"):
        other = Api.with_key(gateway.url, *keys_of(second_merchant, mode))
        refused = other.post("/api/v1/orders", {"amount": 5_000, "customer": mine["id"]})
        assert refused.status_code == 400 and error_of(refused)["field"] == "customer"
        assert other.get(f"{PATH}/{mine['id']}/refunds").status_code == 404


@pytest.mark.parametrize("customer_id", ["cus_" + "x" * 3000, "%00", "cus_ü"])
def test_odd_ids_are_a_404(api: Api, customer_id: str) -> None:
    for answer in (
        api.get(f"{PATH}/{customer_id}"),
        api.patch(f"{PATH}/{customer_id}", {"name": "x"}),
        _delete(api, f"{PATH}/{customer_id}"),
        api.get(f"{PATH}/{customer_id}/payments"),
    ):
        assert answer.status_code == 404, answer.text
