"""Idempotency-Key and concurrent refunds: retries and races never duplicate or overspend money."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import requests
from localcloud.runtime import LocalCloud

from tests.integration.gateway.client import UPI, Api, card, error_of


def _post_until_done(api: Api, path: str, body: dict, key: str) -> requests.Response:
    """What a merchant's retry loop does: a 409 (twin in flight) is retried after a pause."""
    for _ in range(100):
        response = api.post(path, body, headers={"Idempotency-Key": key})
        if response.status_code != 409:
            return response
        assert error_of(response)["code"] == "IDEMPOTENCY_REQUEST_IN_PROGRESS"
        time.sleep(0.05)
    raise AssertionError("still in progress after 100 tries")


def test_fifty_threads_same_key_make_one_payment(api: Api) -> None:
    # Given an order and one Idempotency-Key
    order = api.order(4_200)
    key = f"pay-{uuid.uuid4()}"
    body = {"order_id": order["id"], **UPI}
    # When 50 threads post the same payment with it at once
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda _: _post_until_done(api, "/api/v1/payments", body, key), range(50)))
    # Then every answer is the same 201 with the same payment, and only one payment exists
    assert {a.status_code for a in answers} == {201}
    ids = {a.json()["id"] for a in answers}
    assert len(ids) == 1
    listed = api.get(f"/api/v1/orders/{order['id']}/payments", params={"limit": 100}).json()
    assert [p["id"] for p in listed["items"]] == list(ids)
    assert api.get(f"/api/v1/orders/{order['id']}").json()["attempts"] == 1


def test_same_key_same_body_replays_the_first_answer(api: Api) -> None:
    key = f"order-{uuid.uuid4()}"
    first = api.post("/api/v1/orders", {"amount": 999, "receipt": "r"}, headers={"Idempotency-Key": key})
    again = api.post("/api/v1/orders", {"amount": 999, "receipt": "r"}, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()


def test_same_key_other_body_is_422(api: Api) -> None:
    key = f"order-{uuid.uuid4()}"
    assert api.post("/api/v1/orders", {"amount": 1_000}, headers={"Idempotency-Key": key}).status_code == 201
    reused = api.post("/api/v1/orders", {"amount": 2_000}, headers={"Idempotency-Key": key})
    assert reused.status_code == 422
    assert error_of(reused)["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert error_of(reused)["field"] == "Idempotency-Key"


def test_keys_are_scoped_per_merchant(api: Api, second_merchant: dict) -> None:
    from tests.integration.gateway.conftest import keys_of

    other = Api.with_key(api.base, *keys_of(second_merchant, "test"))
    key = f"shared-{uuid.uuid4()}"
    mine = api.post("/api/v1/orders", {"amount": 1_000}, headers={"Idempotency-Key": key})
    theirs = other.post("/api/v1/orders", {"amount": 1_000}, headers={"Idempotency-Key": key})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_idempotent_refund_retry_makes_one_refund(api: Api) -> None:
    payment = api.paid(3_000)
    key = f"refund-{uuid.uuid4()}"
    path = f"/api/v1/payments/{payment['id']}/refunds"
    first = api.post(path, {"amount": 1_000}, headers={"Idempotency-Key": key})
    second = api.post(path, {"amount": 1_000}, headers={"Idempotency-Key": key})
    assert first.json()["id"] == second.json()["id"]
    assert api.get(f"/api/v1/payments/{payment['id']}").json()["amount_refunded"] == 1_000


def test_twenty_concurrent_refunds_never_exceed_the_amount(api: Api) -> None:
    # Given a successful payment of 10 000
    payment = api.paid(10_000)
    path = f"/api/v1/payments/{payment['id']}/refunds"
    # When 20 threads each refund 10 % + 1 at once
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: api.post(path, {"amount": 1_001}), range(20)))
    # Then at most 9 succeed (9 * 1001 <= 10 000 < 10 * 1001), the rest are refused with the field named
    accepted = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code != 201]
    assert len(accepted) == 9, [a.status_code for a in answers]
    assert all(a.status_code == 400 and error_of(a)["field"] == "amount" for a in refused)
    stored = api.get(path, params={"limit": 100}).json()["items"]
    assert sum(r["amount"] for r in stored) == 9 * 1_001 <= 10_000
    assert api.get(f"/api/v1/payments/{payment['id']}").json()["amount_refunded"] == 9 * 1_001


def test_same_key_with_another_card_is_422(api: Api) -> None:
    order = api.order()
    key = f"card-{uuid.uuid4()}"
    first = api.post(
        "/api/v1/payments", {"order_id": order["id"], **card()}, headers={"Idempotency-Key": key}
    )
    assert first.status_code == 201
    other = api.post(
        "/api/v1/payments",
        {"order_id": order["id"], **card("5555555555554444")},
        headers={"Idempotency-Key": key},
    )
    assert other.status_code == 422 and error_of(other)["code"] == "IDEMPOTENCY_KEY_REUSED"


def _forget_idempotency_records(gateway: LocalCloud) -> None:
    """What a timeout after the write, or a throttled completion write, leaves: no usable record."""
    dynamodb = boto3.client("dynamodb", region_name=gateway.region)
    table = gateway.physical("IdempotencyTable")
    for item in dynamodb.scan(TableName=table)["Items"]:
        dynamodb.delete_item(TableName=table, Key={"id": item["id"]})


def test_a_create_run_again_after_its_idempotency_record_is_lost_makes_no_twin(
    api: Api, gateway: LocalCloud
) -> None:
    # Given an order, a payment and a partial refund, each made with an Idempotency-Key
    order_key, pay_key, refund_key = (f"{name}-{uuid.uuid4()}" for name in ("order", "pay", "refund"))
    order = api.post("/api/v1/orders", {"amount": 9_000}, headers={"Idempotency-Key": order_key}).json()
    pay_body = {"order_id": order["id"], **UPI}
    payment = api.post("/api/v1/payments", pay_body, headers={"Idempotency-Key": pay_key}).json()
    api.settled(f"/api/v1/payments/{payment['id']}")
    refund_path = f"/api/v1/payments/{payment['id']}/refunds"
    refund = api.post(refund_path, {"amount": 6_000}, headers={"Idempotency-Key": refund_key}).json()
    # When the idempotency records are lost and the merchant retries each request with its key
    _forget_idempotency_records(gateway)
    again = [
        api.post("/api/v1/orders", {"amount": 9_000}, headers={"Idempotency-Key": order_key}),
        api.post("/api/v1/payments", pay_body, headers={"Idempotency-Key": pay_key}),
        api.post(refund_path, {"amount": 6_000}, headers={"Idempotency-Key": refund_key}),
    ]
    # Then each retry answers the first object, and nothing exists twice
    assert [r.status_code for r in again] == [201, 201, 201], [r.text for r in again]
    assert [r.json()["id"] for r in again] == [order["id"], payment["id"], refund["id"]]
    payments = api.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    refunds = api.get(f"{refund_path}").json()["items"]
    assert [p["id"] for p in payments] == [payment["id"]]
    assert [r["id"] for r in refunds] == [refund["id"]]
    assert api.get(f"/api/v1/payments/{payment['id']}").json()["amount_refunded"] == 6_000
