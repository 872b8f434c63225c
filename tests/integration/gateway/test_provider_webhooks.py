"""Provider webhooks end to end (issue 17 step 3): a provider posts a signed event to
``/api/v1/connectors/{connector}/webhooks/{merchant_connector_id}``; the signature (Stripe's
``Stripe-Signature``, Razorpay's ``X-Razorpay-Signature``) over the raw body is the only authentication;
a verified event moves its payment or refund once, however often it is delivered.

The payment attempt path that writes the provider-reference pointers comes from the routing work
(the lead): until then these tests write each pointer themselves with ``provider_refs.pointer_put``,
exactly the write the attempt path makes. The simulator would decide these payments before any
provider event arrives, so the module holds ``AttemptPayment`` and ``ProcessRefund`` with localcloud's
fault injection (their invocations raise before the handler runs): payments and refunds stay pending,
as they do while a real provider has not answered yet.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from localcloud import environ, faults
from localcloud.runtime import LocalCloud
from paygate.payments import provider_refs

from tests.helpers import wait_for
from tests.integration.gateway.client import Api, error_of
from tests.integration.gateway.conftest import LogCapture, keys_of
from tests.integration.gateway.receiver import Receiver, start_receiver

STRIPE_SECRET = "whsec_ProviderHooks17stripe"
STRIPE_KEY = "sk_test_ProviderHooks17"
RAZORPAY_SECRET = "rzp-hook-secret-17"
RAZORPAY_KEY_SECRET = "ProviderHooks17Secret"
SECRETS = (STRIPE_SECRET, STRIPE_KEY, RAZORPAY_SECRET, RAZORPAY_KEY_SECRET)


@pytest.fixture(scope="module")
def held(gateway: LocalCloud) -> Iterator[None]:
    """New payments and refunds stay pending: their jobs raise before running (and come back later,
    still held, until the module ends)."""
    before = faults.active()
    plan = faults.FaultPlan.load(
        {"rules": [{"function": ["Payments/AttemptPayment", "Payments/ProcessRefund"], "fault": "raise"}]}
    )
    assert plan is not None
    plan.armed = True
    faults.install(plan)
    try:
        yield
    finally:
        faults.uninstall()
        if before is not None:
            faults.install(before)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


@pytest.fixture(scope="module")
def shop(admin: Api, gateway: LocalCloud, receiver: Receiver) -> dict[str, Any]:
    """A merchant of this module's own, its test and live keys, and a webhook endpoint of its own."""
    made = admin.created("/api/v1/admin/merchants", {"name": "Hooks Shop", "email": "hooks@example.com"})
    test = Api.with_key(gateway.url, *keys_of(made, "test"))
    test.created("/api/v1/webhook_endpoints", {"url": receiver.url + "/hooks-shop"})
    return {"test": test, "live": Api.with_key(gateway.url, *keys_of(made, "live"))}


def pending_payment(api: Api, amount: int = 5000) -> dict[str, Any]:
    order = api.order(amount)
    return api.payment(order["id"])


def point(gateway: LocalCloud, mca: str, reference: str, kind: str, object_id: str) -> None:
    """The pointer the attempt (or refund) path writes when the provider answers."""
    table = gateway.physical("Payments/PaymentsTable")
    with environ.invocation({"PAYMENTS_TABLE": table, "AWS_LAMBDA_LOG_STREAM_NAME": "tests-pointers"}):
        put = provider_refs.pointer_put(mca, reference, kind, object_id)  # type: ignore[arg-type]
    boto3.client("dynamodb", region_name=gateway.region).transact_write_items(TransactItems=[put])


def stripe_signed(event: dict[str, Any], secret: str = STRIPE_SECRET) -> tuple[bytes, dict[str, str]]:
    # json.dumps' ", " and ": " differ from the API's canonical JSON: only the raw bytes verify
    body = json.dumps(event).encode()
    at = int(time.time())
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": f"t={at},v1={mac}"}


def stripe_event(kind: str, obj: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {"id": event_id, "object": "event", "type": kind, "livemode": False, "data": {"object": obj}}


def intent(reference: str, amount: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": reference,
        "object": "payment_intent",
        "amount": amount,
        "currency": "inr",
        "status": "succeeded",
        "capture_method": "automatic",
        **changes,
    }


def razorpay_signed(
    event: str, entity: str, obj: dict[str, Any], event_id: str
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {"entity": "event", "event": event, "contains": [entity], "payload": {entity: {"entity": obj}}}
    ).encode()
    mac = hmac.new(RAZORPAY_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {
        "Content-Type": "application/json",
        "X-Razorpay-Signature": mac,
        "X-Razorpay-Event-Id": event_id,
    }


def deliver(api: Api, path: str, signed: tuple[bytes, dict[str, str]]) -> Any:
    body, headers = signed
    return api.session.post(api.base + path, data=body, headers=headers, timeout=30)


def applied(logs: LogCapture, event_id: str) -> str:
    """What ApplyProviderEvent logged for the event (waits for it)."""

    def find() -> str | None:
        for line in list(logs.lines):
            record = json.loads(line)
            if (
                record.get("formatted_message") == "provider event applied"
                and record.get("event_id") == event_id
            ):
                return str(record["applied"])
        return None

    return wait_for(find, timeout=20, what=f"{event_id} to be applied")


def test_a_stripe_event_moves_a_pending_payment_once_and_nothing_else(
    held: None,
    shop: dict[str, Any],
    second_merchant: dict[str, Any],
    gateway: LocalCloud,
    receiver: Receiver,
    captured_logs: LogCapture,
) -> None:
    api, live = shop["test"], shop["live"]
    # Given a Stripe configuration with a webhook secret, and a pending payment its PaymentIntent stands for
    config = api.created(
        "/api/v1/connectors",
        {"connector": "stripe", "credentials": {"api_key": STRIPE_KEY, "webhook_secret": STRIPE_SECRET}},
    )
    hook = config["webhook_path"]
    assert hook == f"/api/v1/connectors/stripe/webhooks/{config['id']}"
    payment = pending_payment(api)
    point(gateway, config["id"], "pi_Hooks17pending", "payment", payment["id"])
    succeeded = stripe_event("payment_intent.succeeded", intent("pi_Hooks17pending", 5000), "evt_Hooks17ok")

    # When it is delivered with a bad signature (another secret, a changed body, none at all)
    anonymous = Api(gateway.url)
    body, headers = stripe_signed(succeeded)
    for bad in (
        stripe_signed(succeeded, "whsec_NotTheSecret17"),
        (body.replace(b"5000", b"5001"), headers),
        (body, {"Content-Type": "application/json"}),
    ):
        refused = deliver(anonymous, hook, bad)
        # Then 400 naming the signature
        assert refused.status_code == 400, refused.text
        assert error_of(refused)["field"] == "signature"

    # ... or with a body that is not JSON: 400 naming the body
    garbled = deliver(anonymous, hook, (b"{not json", headers))
    assert garbled.status_code == 400 and error_of(garbled)["field"] == "body"

    # When an unknown configuration, or this one under another connector's name, is addressed: one 404
    for path in (
        f"/api/v1/connectors/razorpay/webhooks/{config['id']}",
        "/api/v1/connectors/stripe/webhooks/mca_00000000000000",
        "/api/v1/connectors/stripe/webhooks/nothing",
    ):
        missing = deliver(anonymous, path, (body, headers))
        assert missing.status_code == 404, missing.text
        assert error_of(missing)["description"] == "no provider webhook receiver at this address"
    # ... and another merchant's configuration with this merchant's signature: not its secret
    other = Api.with_key(gateway.url, *keys_of(second_merchant, "test"))
    foreign = other.created(
        "/api/v1/connectors",
        {
            "connector": "stripe",
            "credentials": {"api_key": "sk_test_OtherShop17", "webhook_secret": "whsec_OtherShop17"},
        },
    )
    assert deliver(anonymous, foreign["webhook_path"], (body, headers)).status_code == 400
    assert api.get(f"/api/v1/payments/{payment['id']}").json()["status"] == "pending"

    # When the event arrives signed (no API key: the signature is the authentication)
    accepted = deliver(anonymous, hook, (body, headers))
    assert accepted.status_code == 200 and accepted.json() == {"received": True}, accepted.text
    # Then the payment succeeds and the order is paid
    assert applied(captured_logs, "evt_Hooks17ok") == "payment success"
    done = api.get(f"/api/v1/payments/{payment['id']}").json()
    assert done["status"] == "success"
    assert api.get(f"/api/v1/orders/{payment['order_id']}").json()["status"] == "paid"

    # When the provider delivers the same event again (newly signed, as Stripe's retries are)
    assert deliver(anonymous, hook, stripe_signed(succeeded)).status_code == 200
    # Then it is applied once: the marker finds it, the payment is as it was, one payment.success
    wait_for(
        lambda: any(
            json.loads(line).get("applied") == "duplicate" and "evt_Hooks17ok" in line
            for line in list(captured_logs.lines)
        ),
        timeout=20,
        what="the replay to be found applied",
    )
    assert api.get(f"/api/v1/payments/{payment['id']}").json() == done
    success_events = wait_for(
        lambda: [
            r
            for r in receiver.at("/hooks-shop")
            if payment["id"] in r.body and json.loads(r.body)["type"] == "payment.success"
        ],
        what="the merchant's payment.success webhook",
    )
    assert len(success_events) == 1

    # When the configuration's events point at another merchant's payment and at a live payment
    # (pointers that the attempt path never writes): nothing moves either
    theirs = pending_payment(other)
    ours_live = pending_payment(live)
    for number, victim in enumerate((theirs, ours_live)):
        point(gateway, config["id"], f"pi_Hooks17foreign{number}", "payment", victim["id"])
        event_id = f"evt_Hooks17foreign{number}"
        failed = stripe_event(
            "payment_intent.payment_failed",
            intent(f"pi_Hooks17foreign{number}", 5000, status="requires_payment_method"),
            event_id,
        )
        assert deliver(anonymous, hook, stripe_signed(failed)).status_code == 200
        assert applied(captured_logs, event_id).startswith("nothing")
    assert other.get(f"/api/v1/payments/{theirs['id']}").json()["status"] == "pending"
    assert live.get(f"/api/v1/payments/{ours_live['id']}").json()["status"] == "pending"
    # An ignored event type is answered 200 and applies nothing
    ignored = stripe_event("customer.created", {"id": "cus_Hooks17"}, "evt_Hooks17ignored")
    assert deliver(anonymous, hook, stripe_signed(ignored)).status_code == 200


def test_razorpay_events_authorize_capture_and_process_a_refund(
    held: None, shop: dict[str, Any], gateway: LocalCloud, captured_logs: LogCapture
) -> None:
    api = shop["test"]
    # Given a Razorpay configuration with a webhook secret, and a pending payment of 7000 paise
    config = api.created(
        "/api/v1/connectors",
        {
            "connector": "razorpay",
            "credentials": {
                "key_id": "rzp_test_Hooks17Key",
                "key_secret": RAZORPAY_KEY_SECRET,
                "webhook_secret": RAZORPAY_SECRET,
            },
        },
    )
    hook = config["webhook_path"]
    payment = pending_payment(api, 7000)
    point(gateway, config["id"], "pay_RzpHooks17", "payment", payment["id"])
    entity = {"id": "pay_RzpHooks17", "entity": "payment", "amount": 7000, "currency": "INR"}
    anonymous = Api(gateway.url)

    # When Razorpay reports it authorized, then captured
    authorized = razorpay_signed(
        "payment.authorized", "payment", {**entity, "status": "authorized"}, "rzev_1"
    )
    assert deliver(anonymous, hook, authorized).status_code == 200
    assert applied(captured_logs, "rzev_1") == "payment success"
    captured = razorpay_signed("payment.captured", "payment", {**entity, "status": "captured"}, "rzev_2")
    assert deliver(anonymous, hook, captured).status_code == 200
    # Then the payment is captured (asynchronously, by the provider)
    assert applied(captured_logs, "rzev_2") == "payment captured"
    got = api.get(f"/api/v1/payments/{payment['id']}").json()
    assert (got["status"], got["amount_captured"]) == ("captured", 7000)

    # Given a pending refund of 2000 at Razorpay
    refund = api.created(f"/api/v1/payments/{payment['id']}/refunds", {"amount": 2000})
    point(gateway, config["id"], "rfnd_RzpHooks17", "refund", refund["id"])
    refund_entity = {
        "id": "rfnd_RzpHooks17",
        "entity": "refund",
        "payment_id": "pay_RzpHooks17",
        "amount": 2000,
        "currency": "INR",
        "status": "processed",
    }
    # When Razorpay reports it processed (a bad signature first: nothing)
    body, headers = razorpay_signed("refund.processed", "refund", refund_entity, "rzev_3")
    forged = deliver(anonymous, hook, (body, {**headers, "X-Razorpay-Signature": "0" * 64}))
    assert forged.status_code == 400 and error_of(forged)["field"] == "signature"
    assert api.get(f"/api/v1/refunds/{refund['id']}").json()["status"] == "pending"
    assert deliver(anonymous, hook, (body, headers)).status_code == 200
    # Then the refund is processed
    assert applied(captured_logs, "rzev_3") == "refund processed"
    assert api.get(f"/api/v1/refunds/{refund['id']}").json()["status"] == "processed"

    # No log line of the whole module holds a webhook secret or a connector credential
    logged = "\n".join(captured_logs.lines)
    for secret in SECRETS:
        assert secret not in logged
