"""Privacy over HTTP (docs/privacy.md): a customer's export holds its methods, payments and refunds and no
secret; its erasure leaves none of its personal data in any table and no vault card, keeps the
merchant's figures, completes on the payments side, and is audited; tenant and mode isolation and bad
input on the three routes.

A merchant of its own with a webhook endpoint (a receiver) taking every event: the customer's
``customer.*`` and ``payment.*`` events are delivered, their stored bodies hold the person until the
erasure's webhooks part (``EraseWebhookPii``) redacts them, and a redelivery sends the redacted body.
No Idempotency-Key on the creates that carry personal data (an idempotency record keeps its answer for
24 h: docs/privacy.md)."""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from localcloud.runtime import LocalCloud

from tests.helpers import wait_for
from tests.integration.gateway.client import Api, card, error_of
from tests.integration.gateway.conftest import keys_of
from tests.integration.gateway.receiver import Receiver, start_receiver

PATH = "/api/v1/customers"
SAVED_PAN, TYPED_PAN = "4242424242424242", "5555555555554444"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


@pytest.fixture(scope="module")
def shop(admin: Api, gateway: LocalCloud, receiver: Receiver) -> dict[str, Api]:
    made = admin.created("/api/v1/admin/merchants", {"name": "Privacy Shop", "email": "privacy@example.com"})
    apis = {mode: Api.with_key(gateway.url, *keys_of(made, mode)) for mode in ("test", "live")}
    apis["test"].created(
        "/api/v1/webhook_endpoints", {"url": receiver.url + "/privacy", "enabled_events": ["*"]}
    )
    return apis


def _received(receiver: Receiver, customer: str) -> list[dict[str, Any]]:
    """The events the receiver got about the customer (the customer, or an object made for it)."""
    events = [json.loads(r.body) for r in receiver.at("/privacy")]
    return [e for e in events if customer in (e["data"].get("id"), e["data"].get("customer"))]


@pytest.fixture(scope="module")
def person() -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    return {
        "name": f"Ada Privacy {tag}",
        "email": f"ada.{tag}@example.com",
        "phone": "+4420" + str(int(tag, 16) % 10**8).zfill(8),
        "vpa": f"ada{tag}@okicici",
        "holder": f"A Holder {tag}",
        "typed_holder": f"T Holder {tag}",
        "external_id": f"crm-{tag}",
    }


def _all_items(gateway: LocalCloud) -> str:
    """Every item of every table localcloud made, as text (compressed bodies and binaries decoded)."""
    client = boto3.client("dynamodb", region_name=gateway.region)
    items: list[dict[str, Any]] = []
    for table in client.list_tables()["TableNames"]:
        for page in client.get_paginator("scan").paginate(TableName=table):
            items.extend(page["Items"])
    for item in items:
        if "body_z" in item:
            item["body_z"] = {"S": zlib.decompress(item["body_z"]["B"]).decode()}
        for name, value in item.items():
            if "B" in value:
                item[name] = {"S": bytes(value["B"]).decode("latin-1")}
    return json.dumps(items)


def _vault_cards(gateway: LocalCloud) -> set[str]:
    client = boto3.client("dynamodb", region_name=gateway.region)
    table = gateway.physical("Vault/VaultTable")
    return {
        i["pk"]["S"]
        for page in client.get_paginator("scan").paginate(TableName=table)
        for i in page["Items"]
        if i["pk"]["S"].startswith("CARD#")
    }


def _paid(api: Api, customer: str, amount: int, method: dict[str, Any]) -> dict[str, Any]:
    order = api.order(amount, customer=customer, receipt="rcpt-1", notes={"who": "customer"})
    payment = api.payment(order["id"], method)
    return api.settled(f"/api/v1/payments/{payment['id']}")


@pytest.fixture(scope="module")
def history(
    shop: dict[str, Api], person: dict[str, str], gateway: LocalCloud, receiver: Receiver
) -> dict[str, Any]:
    """A customer with a saved card, a UPI method, three paid orders (saved card, typed card, VPA) and a
    processed refund; the merchant's endpoint got the customer's and the payments' events."""
    api = shop["test"]
    before_cards = _vault_cards(gateway)
    fields = ("name", "email", "phone", "external_id")
    customer = api.created(PATH, {k: person[k] for k in fields} | {"metadata": {"n": person["name"]}})
    saved = api.created(
        "/api/v1/payment_methods",
        {
            "type": "card",
            "card": card(SAVED_PAN, holder_name=person["holder"])["card"],
            "billing_details": {"name": person["name"], "email": person["email"]},
            "customer": customer["id"],
        },
    )
    upi = api.created(
        "/api/v1/payment_methods", {"type": "upi", "upi": {"vpa": person["vpa"]}, "customer": customer["id"]}
    )
    payments = [
        _paid(api, customer["id"], 5_000, {"payment_method": saved["id"]}),
        _paid(api, customer["id"], 7_000, card(TYPED_PAN, holder_name=person["typed_holder"])),
        _paid(api, customer["id"], 3_000, {"method": "upi", "vpa": person["vpa"]}),
    ]
    assert [p["status"] for p in payments] == ["success"] * 3, payments
    refund = api.created(f"/api/v1/payments/{payments[2]['id']}/refunds", {"amount": 1_000})
    refund = api.settled(f"/api/v1/refunds/{refund['id']}", timeout=30)
    new_cards = _vault_cards(gateway) - before_cards
    assert len(new_cards) == 2  # the saved card and the typed one

    def delivered() -> bool:  # the events carrying the person, all delivered
        events = _received(receiver, customer["id"])
        types = {e["type"] for e in events}
        wanted = (person["email"], person["vpa"], person["typed_holder"])
        kinds = {"customer.created", "payment.success", "refund.processed"}
        return kinds <= types and all(w in json.dumps(events) for w in wanted)

    wait_for(delivered, timeout=60, what="the customer's, payments' and refund's webhooks")
    return {"customer": customer, "saved": saved, "upi": upi, "payments": payments, "refund": refund,
            "cards": new_cards}  # fmt: skip


def test_the_export_holds_the_customer_its_methods_payments_and_refunds_and_no_secret(
    shop: dict[str, Api], history: dict[str, Any], person: dict[str, str]
) -> None:
    # When the customer's data is exported
    answer = shop["test"].get(f"{PATH}/{history['customer']['id']}/export")
    assert answer.status_code == 200, answer.text
    exported = answer.json()
    # Then it holds the customer, both methods, the payments, the refund
    assert exported["customer"]["email"] == person["email"] and exported["exported_at"]
    assert {m["id"] for m in exported["payment_methods"]} == {history["saved"]["id"], history["upi"]["id"]}
    assert {p["id"] for p in exported["payments"]} == {p["id"] for p in history["payments"]}
    assert [r["id"] for r in exported["refunds"]] == [history["refund"]["id"]]
    assert len(exported["orders"]) == 3
    # and nothing secret
    text = answer.text
    for secret in (SAVED_PAN, TYPED_PAN, "card_token", "cvv", "card_", '"123"'):
        assert secret not in text, secret


def test_tenant_and_mode_isolation_and_bad_input(
    shop: dict[str, Api], history: dict[str, Any], gateway: LocalCloud, second_merchant: dict[str, Any]
) -> None:
    customer = history["customer"]["id"]
    others = [shop["live"], Api.with_key(gateway.url, *keys_of(second_merchant, "test"))]
    for other in others:  # another merchant's key and the live key of this one never see the customer
        assert other.get(f"{PATH}/{customer}/export").status_code == 404
        erased = other.post(f"{PATH}/{customer}/erase")
        assert erased.status_code == 404 and error_of(erased)["code"]
        assert other.get(f"{PATH}/{customer}/audit").status_code == 404
    # an unknown field is a 400 naming it, and erases nothing
    refused = shop["test"].post(f"{PATH}/{customer}/erase", {"confirm": True})
    assert refused.status_code == 400 and "confirm" in json.dumps(error_of(refused))
    for body in ([1], "erase", None):
        odd = shop["test"].session.post(
            f"{shop['test'].base}{PATH}/{customer}/erase", data=json.dumps(body), timeout=30
        )
        assert odd.status_code == 400, odd.text  # not an object: refused, nothing erased
    bad_limit = shop["test"].get(f"{PATH}/{customer}/audit", params={"limit": 0})
    assert bad_limit.status_code == 400 and error_of(bad_limit).get("field") == "limit"
    assert shop["test"].get(f"{PATH}/{customer}").json()["name"] == history["customer"]["name"]
    assert shop["test"].get(f"{PATH}/cus_unknown00000000/export").status_code == 404


def test_erasure_leaves_no_personal_data_no_vault_card_and_the_same_totals(
    shop: dict[str, Api],
    history: dict[str, Any],
    person: dict[str, str],
    gateway: LocalCloud,
    receiver: Receiver,
) -> None:
    api, customer = shop["test"], history["customer"]["id"]
    stored = _all_items(gateway)  # the scan does see the person while they are there, webhook bodies too
    assert person["email"] in stored and person["typed_holder"] in stored
    overview = api.get("/api/v1/dashboard/overview").json()
    # When the customer is erased (twice: the second changes nothing)
    first = api.post(f"{PATH}/{customer}/erase", headers={"Idempotency-Key": uuid.uuid4().hex})
    assert first.status_code == 200, first.text
    assert first.json()["status"] in ("pending", "complete") and first.json()["payment_methods_erased"] == 2
    again = api.post(f"{PATH}/{customer}/erase")
    assert again.status_code == 200 and again.json()["payment_methods_erased"] == 0
    assert again.json()["erased_at"] == first.json()["erased_at"]

    # Then the payments and webhooks sides complete (customer.erased -> ErasePaymentsPii, EraseWebhookPii)
    def complete() -> dict[str, Any] | None:
        body = api.get(f"{PATH}/{customer}/export").json()
        return body if body["customer"]["erasure"] == "complete" else None

    exported = wait_for(complete, timeout=30, what="the erasure to complete")
    assert exported["customer"]["deleted"] is True and exported["payment_methods"] == []
    assert {p["id"]: (p["amount"], p["status"]) for p in exported["payments"]} == {
        p["id"]: (p["amount"], p["status"]) for p in history["payments"]
    }
    # and no table holds the name, e-mail, phone, VPA or holder names
    stored = _all_items(gateway)
    for field in ("name", "email", "phone", "vpa", "holder", "typed_holder", "external_id"):
        assert person[field] not in stored, field
    # and the vault holds neither card
    assert not history["cards"] & _vault_cards(gateway)
    # and the merchant's totals are those of before
    assert api.get("/api/v1/dashboard/overview").json() == overview
    # and the audit lists the export (earlier test), both erasures and the exports since, ids only
    audit = api.get(f"{PATH}/{customer}/audit", params={"limit": 100}).json()["items"]
    actions = [a["action"] for a in audit]
    assert actions.count("customer.erased") == 2 and "customer.exported" in actions
    assert {a["actor"]["id"] for a in audit} == {keys_of_api(api)}
    assert person["name"] not in json.dumps(audit)
    # and a redelivery of a webhook about the customer sends the redacted body, ids and amounts kept
    deliveries = api.get("/api/v1/webhooks", params={"limit": 100}).json()["items"]
    paid = next(d for d in deliveries if d["event_type"] == "payment.success")
    before = len(receiver.at("/privacy"))
    assert api.post(f"/api/v1/webhooks/{paid['id']}/retry").status_code == 200

    def redelivered() -> dict[str, Any] | None:
        bodies = [json.loads(r.body) for r in receiver.at("/privacy")[before:]]
        return next((b for b in bodies if b["id"] == paid["event_id"]), None)

    again = wait_for(redelivered, what="the redelivery")
    assert again["data"]["customer"] == customer and again["data"]["amount"] in (5_000, 7_000, 3_000)
    for field in ("email", "vpa", "holder", "typed_holder"):
        assert person[field] not in json.dumps(again), field
    # and the external id may be taken again by a new customer
    assert api.created(PATH, {"external_id": person["external_id"]})["external_id"] == person["external_id"]


def keys_of_api(api: Api) -> str:
    return str(api.session.headers["X-Api-Key"])


@pytest.mark.parametrize("customer_id", ["cus_" + "x" * 3000, "%00", "cus_ü"])
def test_odd_ids_are_a_404(shop: dict[str, Api], customer_id: str) -> None:
    api = shop["test"]
    for answer in (
        api.get(f"{PATH}/{customer_id}/export"),
        api.post(f"{PATH}/{customer_id}/erase"),
        api.get(f"{PATH}/{customer_id}/audit"),
    ):
        assert answer.status_code == 404, answer.text
