"""A payment attempt through routing (``connectors.dispatch`` from ``payments.processing``) on moto, with
the Razorpay contract fake as a real process: a payment is charged at most once however its attempt is
run (duplicate deliveries at the same time, a retry after a call that got no answer), and a call is
failed over only when nothing happened, at most once per attempt, whatever the connectors answer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paygate.connectors import dispatch, registry, routing_store
from paygate.connectors import service as connectors
from paygate.connectors.base import ConnectorResult, Outcome
from paygate.connectors.models import ConnectorIn
from paygate.connectors.routing_models import parse_config
from paygate.core import settings as paygate_settings
from paygate.core.errors import ProcessorUnavailable
from paygate.core.settings import JobsEnv
from paygate.payments import processing, service, store
from paygate.payments.models import OrderIn, PaymentIn

from tests.helpers import at_once
from tests.servers import razorpay_fake
from tests.unit.moto_world import tables_world, vault_key
from tests.unit.payments_world import MERCHANT

KEY_ID, KEY_SECRET = "rzp_test_Dispatch12345", "DispatchSecret123"
CARD = {
    "number": "4111111111111111",
    "expiry_month": 12,
    "expiry_year": 2031,
    "cvv": "123",
    "holder_name": "P",
}
TABLES = {
    "PAYMENTS_TABLE": "PaymentsTable",
    "MERCHANTS_TABLE": "MerchantsTable",
    "VAULT_TABLE": "VaultTable",
    "CONNECTORS_TABLE": "ConnectorsTable",
    "RISK_TABLE": "RiskTable",
}


@pytest.fixture(scope="module")
def fake() -> Iterator[str]:
    with razorpay_fake(KEY_ID, KEY_SECRET) as (url, stderr):
        yield url
    assert not any(CARD["number"] in line for line in stderr)


@pytest.fixture
def routed(fake: str) -> Iterator[str]:
    """The payments, vault and connectors tables on moto, the merchant's Razorpay configuration as its
    only route; yields the configuration's id."""
    from paygate.merchants import service as merchants
    from paygate.merchants.models import MerchantIn

    with tables_world(TABLES, TEST_MODE="true", TEST_PAYMENT_SUCCESS="true"), vault_key():
        os.environ["CONNECTORS_KEY_ID"] = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
        paygate_settings._cache.clear()
        try:
            merchants.create_merchant(
                MerchantIn(name="Routed", email="r@example.com"), merchant_id="mer_world"
            )
            config = ConnectorIn(
                connector="razorpay", credentials={"key_id": KEY_ID, "key_secret": KEY_SECRET}, base_url=fake
            )
            mca = connectors.create(MERCHANT, config).id
            rules = parse_config({"default": {"type": "priority", "connectors": [mca]}})
            assert routing_store.put(MERCHANT.merchant_id, MERCHANT.mode, rules, 0) is not None
            yield mca
        finally:
            os.environ.pop("CONNECTORS_KEY_ID", None)
            requests.post(f"{fake}/_fake/mode", json={"mode": "normal"}, timeout=5)


def _card_payment(amount: int = 5_000) -> dict[str, Any]:
    order = service.create_order(MERCHANT, OrderIn(amount=amount))
    payment = service.create_payment(MERCHANT, PaymentIn(order_id=order.id, method="card", card=CARD))
    return store.get(payment.id)


def _charges(fake: str, payment_id: str, attempt: int = 0) -> list[dict[str, Any]]:
    """Every payment the provider took for this attempt (its orders are keyed by the attempt's key)."""
    auth = (KEY_ID, KEY_SECRET)
    orders = requests.get(
        f"{fake}/v1/orders", params={"receipt": f"{payment_id}-{attempt}"}, auth=auth, timeout=5
    )
    taken = []
    for order in orders.json()["items"]:
        paid = requests.get(f"{fake}/v1/orders/{order['id']}/payments", auth=auth, timeout=5).json()["items"]
        taken += [p for p in paid if p["status"] in ("authorized", "captured")]
    return taken


def test_duplicate_runs_of_one_attempt_at_the_same_time_charge_once(routed: str, fake: str) -> None:
    payment = _card_payment()
    env = JobsEnv.load()
    results = at_once(*[lambda: processing.process(dict(payment), 0, env) for _ in range(6)])
    assert sorted(results).count("success") == 1, results
    assert set(results) <= {"success", processing.IN_FLIGHT, "unchanged"}, results
    assert len(_charges(fake, payment["id"])) == 1
    stored = store.get(payment["id"])
    assert [(a["connector"], a["outcome"]) for a in stored["attempts"]] == [("razorpay", "succeeded")]
    assert stored["attempt_lease_until"] == 0  # given back by the write that recorded it


def test_a_retry_after_no_answer_repeats_the_request_and_charges_once(
    routed: str, fake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "CALL_TIMEOUT", 1.0)
    payment = _card_payment()
    # the provider takes the payment but its answer never arrives
    requests.post(f"{fake}/_fake/mode", json={"mode": "hang", "path": "/v1/payments/create"}, timeout=5)
    with pytest.raises(ProcessorUnavailable):
        processing.process(dict(payment), 0, JobsEnv.load())
    requests.post(f"{fake}/_fake/mode", json={"mode": "normal"}, timeout=5)
    kept = store.get(payment["id"])
    assert kept["status"] == "pending" and [a["outcome"] for a in kept["attempts"]] == ["unknown"]
    # the workflow's retry is pinned: the same request, same key, same configuration
    assert processing.process(dict(payment), 1, JobsEnv.load()) == "success"
    done = store.get(payment["id"])
    assert [a["outcome"] for a in done["attempts"]] == ["unknown", "succeeded"]
    assert {a["idempotency_key"] for a in done["attempts"]} == {f"{payment['id']}-0"}
    assert done["routing"][1]["source"] == "pinned"
    assert len(_charges(fake, payment["id"])) == 1
    assert _charges(fake, payment["id"], attempt=1) == []


OUTCOMES = st.sampled_from(list(Outcome))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.lists(OUTCOMES, min_size=3, max_size=3))
def test_failover_only_when_nothing_happened_and_once(
    routed: str, monkeypatch: pytest.MonkeyPatch, answers: list[Outcome]
) -> None:
    """The providers' answers are the input here (three configurations, each answering one outcome):
    what is under test is which of them dispatch calls, and what it makes of their answers."""
    mcas = [f"mca_p{index}" for index in range(3)]
    scripted = dict(zip(mcas, answers, strict=True))
    called: list[str] = []

    def call(
        merchant_id: str, mode: str, mca: str, request: Any, card: Any, item: Any = None
    ) -> ConnectorResult:
        called.append(mca)
        return ConnectorResult(scripted[mca], "stripe", provider_reference=f"ref_{mca}")

    monkeypatch.setattr(dispatch, "_call_configuration", call)
    monkeypatch.setattr(
        dispatch.breaker, "allow", lambda mca: dispatch.breaker.Decision(True, "closed", None)
    )
    monkeypatch.setattr(dispatch.breaker, "record", lambda mca, outcome: "closed")
    available = {mca: routing_store.Availability(connector="stripe") for mca in mcas}
    monkeypatch.setattr(routing_store, "availability", lambda *args: available)
    monkeypatch.setattr(
        routing_store, "load", lambda *a: parse_config({"default": {"type": "priority", "connectors": mcas}})
    )
    request = processing.authorization_request(
        {"id": "pay_x", "amount": 100, "currency": "INR", "method": "card"}, 0
    )
    facts = dispatch.PaymentFacts("card", "INR", 100, "visa")
    done = dispatch.authorize("mer_world", "test", request, facts, JobsEnv.load(), lambda: None, lambda: True)
    # the first choice always; the second only after "nothing happened"; never a third
    expected = [mcas[0]] + ([mcas[1]] if answers[0].failover_allowed else [])
    assert called == expected
    assert [c.failover for c in done.calls] == [False, True][: len(expected)]
    assert done.result is not None and done.result.outcome is scripted[called[-1]]
    assert done.retry_later == (scripted[called[-1]] in (Outcome.PROCESSOR_ERROR_RETRYABLE, Outcome.UNKNOWN))


def test_the_vault_not_answering_is_retried_later_and_leaves_the_breaker_alone(
    routed: str, fake: str
) -> None:
    from paygate.connectors import breaker
    from paygate.vault import client

    payment = _card_payment()

    def down(action: str, event: dict[str, Any]) -> dict[str, Any]:
        raise client.VaultUnavailable(f"the vault did not answer ({action})")

    previous = client.use_transport(down)
    try:
        with pytest.raises(ProcessorUnavailable):
            processing.process(dict(payment), 0, JobsEnv.load())
    finally:
        client.use_transport(previous)
    kept = store.get(payment["id"])
    assert kept["status"] == "pending" and kept["attempt_lease_until"] == 0
    assert [(a["outcome"], a["provider_code"]) for a in kept["attempts"]] == [
        ("processor_error_retryable", "VAULT_UNAVAILABLE")
    ]
    assert breaker.allow(routed).allowed and _charges(fake, payment["id"]) == []
    # the workflow's retry, with the vault back, charges once
    assert processing.process(dict(payment), 1, JobsEnv.load()) == "success"
    assert len(_charges(fake, payment["id"], attempt=1)) == 1
