"""Where a webhook delivery's bytes live, on moto (issue 16, cost): the event body is written once, in
an item no attempt touches; the delivery item that every attempt rewrites stays under one write unit;
gsi1 projects keys only, and the listings still answer whole deliveries, newest first."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from paygate.core import aws
from paygate.merchants import service as merchants
from paygate.merchants.models import MerchantIn, Principal
from paygate.webhooks import delivery, service, signing

from tests.unit.merchants_world import merchants_world
from tests.unit.moto_world import table_definition

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
SCHEDULE = [0, 0, 0, 0, 0]


class _Receiver(http.server.ThreadingHTTPServer):
    """Answers each POST with the next scripted status (then 200), keeping bodies and headers."""

    def __init__(self, statuses: list[int]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.statuses = statuses
        self.received: list[tuple[bytes, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((body, {k.lower(): v for k, v in self.headers.items()}))
        self.send_response(self.server.statuses.pop(0) if self.server.statuses else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    server = _Receiver([500])  # the first attempt fails: a second one follows
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def world() -> Iterator[None]:
    with merchants_world():
        yield


def _item_size(item: dict[str, Any]) -> int:
    """Bytes of a DynamoDB-JSON item by DynamoDB's size rules (names + values)."""

    def size(attribute: dict[str, Any]) -> int:
        (kind, value), *_ = attribute.items()
        if kind in ("S", "B"):
            return len(value.encode()) if isinstance(value, str) else len(value)
        if kind == "N":
            return len(str(value)) // 2 + 2
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "M":
            return 3 + sum(len(k) + 1 + size(v) for k, v in value.items())
        if kind == "L":
            return 3 + sum(1 + size(v) for v in value)
        return sum(len(str(v)) for v in value)

    return sum(len(name) + size(value) for name, value in item.items())


def _event(merchant_id: str, n: int = 0) -> dict[str, Any]:
    """A CloudEvent the size of a payment's (about 1.7 KB)."""
    return {
        "specversion": "1.0",
        "id": f"evt_storage{n:010d}",
        "type": "payment.success",
        "source": f"/paygate/merchants/{merchant_id}",
        "subject": "pay_00000000000001",
        "time": f"2026-01-01T00:00:0{n}.000Z",
        "datacontenttype": "application/json",
        "merchantid": merchant_id,
        "mode": "test",
        "data": {"id": "pay_00000000000001", "notes": {f"k{i}": "v" * 40 for i in range(30)}},
    }


class _Writes:
    """Every DynamoDB write request the layer's client sends while attached."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, params: dict[str, Any], model: Any, **_kwargs: Any) -> None:
        if model.name in WRITES:
            self.calls.append((model.name, params))


def _shop(url: str) -> str:
    created = merchants.create_merchant(MerchantIn(name="Shop", email="shop@example.com", webhook_url=url))
    return created.id


def test_an_attempt_writes_a_small_delivery_item_never_the_body_and_posts_the_same_bytes(
    receiver: _Receiver,
) -> None:
    # Given a delivery of a 1.7 KB event to the merchant's own webhook (its first attempt will fail)
    merchant_id = _shop(receiver.url)
    event = _event(merchant_id)
    expected = json.dumps(event, separators=(",", ":")).encode()
    assert len(expected) > 1500
    (delivery_id,) = service.deliveries_for(event)[0]
    dynamodb = boto3.client("dynamodb")
    table = service.store.objects.table()
    stored = dynamodb.scan(TableName=table)["Items"]
    bodies = [i for i in stored if i["pk"]["S"].startswith("EVENT#")]
    # Then the body is stored once, in an item of its own, and the delivery item does not hold it
    (item,) = [i for i in stored if i["pk"]["S"] == delivery_id]
    assert len(bodies) == 1 and "body" not in item and expected.decode() not in json.dumps(item)
    # When both attempts run, every write the layer sends recorded
    writes = _Writes()
    aws.client("dynamodb").meta.events.register("before-parameter-build.dynamodb", writes)
    first = delivery.attempt(delivery_id, 0, 1, SCHEDULE)
    second = delivery.attempt(delivery_id, 0, 2, SCHEDULE)
    aws.client("dynamodb").meta.events.unregister("before-parameter-build.dynamodb", writes)
    # Then both POSTed the event's exact bytes, signed over them
    assert first is not None and not first.finished and second is not None and second.finished
    assert [body for body, _headers in receiver.received] == [expected, expected]
    found = service.target(merchant_id, service.DEFAULT_ENDPOINT, "test")
    assert found is not None
    secret = found[1]
    for body, headers in receiver.received:
        signed = signing.headers(secret, event["id"], int(headers["webhook-timestamp"]), body.decode())
        assert headers["webhook-signature"] == signed["webhook-signature"]
    # and every write was an update of the delivery item alone (claim, record): none wrote the body
    assert [name for name, _params in writes.calls] == ["UpdateItem"] * 4
    for _name, params in writes.calls:
        assert params["Key"] == {"pk": {"S": delivery_id}, "sk": {"S": "OBJ"}}
        assert not {"body", "body_z"} & set(params["ExpressionAttributeNames"].values())
        assert "notes" not in json.dumps(params)  # nothing of the event's data
    assert dynamodb.scan(TableName=table)["Items"].count(bodies[0]) == 1  # unchanged
    # and the item those writes rewrite stays within one write unit (1 KB)
    item = dynamodb.get_item(TableName=table, Key={"pk": {"S": delivery_id}, "sk": {"S": "OBJ"}})["Item"]
    assert item["status"] == {"S": "succeeded"} and len(item["attempts"]["L"]) == 2
    assert _item_size(item) < 1024


def test_gsi1_projects_keys_only_and_the_log_still_lists_whole_deliveries_newest_first(
    receiver: _Receiver,
) -> None:
    # Given the webhooks table as the template defines it
    (gsi1,) = table_definition("WebhooksTable")["GlobalSecondaryIndexes"]
    # Then its index holds keys only (an attempt changes no key: it never writes the index)
    assert gsi1["IndexName"] == "gsi1" and gsi1["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    # When three events are delivered and the log is read a page at a time
    merchant_id = _shop(receiver.url)
    made = [service.deliveries_for(_event(merchant_id, n))[0][0] for n in range(3)]
    principal = Principal(merchant_id=merchant_id, mode="test", key_id="key_test_x")
    first = service.list_deliveries(principal, limit=2, offset=0)
    rest = service.list_deliveries(principal, limit=2, offset=2)
    # Then the pages hold whole deliveries, newest first, with has_more as before
    assert [d.id for d in first.items + rest.items] == list(reversed(made))
    assert first.has_more and not rest.has_more
    assert all(d.url == receiver.url and d.status == "pending" for d in first.items + rest.items)
    assert service.get_delivery(principal, made[0]).event_type == "payment.success"
