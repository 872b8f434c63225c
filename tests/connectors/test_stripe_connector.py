"""The Stripe connector through the official SDK against localstripe, a real server process on loopback."""

from __future__ import annotations

import itertools
import json

import pytest
import requests
import stripe
from paygate.connectors.base import (
    Card,
    Connector,
    ConnectorResult,
    InvalidSignature,
    Outcome,
    PaymentRequest,
)
from paygate.connectors.stripe_connector import StripeConnector

from tests.connectors.conftest import WebhookReceiver
from tests.helpers import wait_for

API_KEY = "sk_test_k17connector"
VISA = "4242424242424242"
CHARGE_DECLINED = "4000000000000341"  # localstripe: attaching succeeds, charging is declined
THREE_DS_ALWAYS = "4000002500003155"
CVC = "735"
_ids = itertools.count()


def card(number: str = VISA) -> Card:
    return Card(number=number, exp_month=12, exp_year=2030, cvc=CVC, holder="Ada Lovelace")


def payment(number: str = VISA, *, capture: bool = True, amount: int = 5000) -> PaymentRequest:
    n = next(_ids)
    return PaymentRequest(
        payment_id=f"pay_test{n:010d}",
        amount=amount,
        currency="EUR",
        method="card",
        idempotency_key=f"att_test{n:010d}",
        capture=capture,
        card=card(number),
        return_url="https://shop.example/back",
    )


@pytest.fixture(scope="module")
def connector(localstripe_url: str) -> StripeConnector:
    # localstripe 1.15.10 refuses return_url on a PaymentIntent ("Unexpected return_url")
    return StripeConnector(API_KEY, api_base=localstripe_url, timeout=5.0, send_return_url=False)


@pytest.fixture(scope="module")
def stripe_api(localstripe_url: str) -> stripe.StripeClient:
    """The test's own view of localstripe, to check what the connector did there."""
    return stripe.StripeClient(
        "sk_test_k17checker", base_addresses={"api": localstripe_url}, max_network_retries=0
    )


def test_it_is_a_connector(connector: StripeConnector) -> None:
    assert isinstance(connector, Connector)
    assert connector.name == "stripe"


def test_authorize_with_automatic_capture(
    connector: StripeConnector, stripe_api: stripe.StripeClient
) -> None:
    # Given a card payment to capture at once
    request = payment()
    # When it is authorized
    result = connector.authorize(request)
    # Then Stripe holds a succeeded PaymentIntent for it
    assert result.outcome is Outcome.SUCCEEDED
    assert (result.raw_status, result.amount, result.currency) == ("succeeded", 5000, "EUR")
    assert result.latency_ms > 0
    intent = stripe_api.v1.payment_intents.retrieve(result.provider_reference)
    assert intent.currency == "eur"
    assert intent.capture_method == "automatic"
    assert intent.metadata["payment_id"] == request.payment_id


def test_authorize_manual_then_capture_part(
    connector: StripeConnector, stripe_api: stripe.StripeClient
) -> None:
    # Given an authorization only
    authorized = connector.authorize(payment(capture=False))
    assert authorized.outcome is Outcome.SUCCEEDED
    assert authorized.raw_status == "requires_capture"
    # When 3000 of the 5000 are captured
    captured = connector.capture(authorized.provider_reference, 3000, "EUR", "cap_test1")
    # Then the intent succeeded and the 2000 left are released (localstripe refunds them)
    assert captured.outcome is Outcome.SUCCEEDED
    assert (captured.raw_status, captured.amount) == ("succeeded", 3000)
    latest = stripe_api.v1.payment_intents.retrieve(authorized.provider_reference).latest_charge
    charge = (
        stripe_api.v1.charges.retrieve(latest) if isinstance(latest, str) else latest
    )  # localstripe expands
    assert charge.amount_refunded == 2000


def test_void_cancels_the_authorization(connector: StripeConnector) -> None:
    authorized = connector.authorize(payment(capture=False))
    voided = connector.void(authorized.provider_reference, "void_test1")
    assert voided.outcome is Outcome.SUCCEEDED
    assert voided.raw_status == "canceled"
    # a second capture attempt is refused by Stripe: nothing left to capture
    assert connector.capture(authorized.provider_reference, 5000, "EUR", "cap_test2").outcome is (
        Outcome.PROCESSOR_ERROR
    )


def test_refund_part_then_sync_both(connector: StripeConnector) -> None:
    paid = connector.authorize(payment())
    # When 1200 of 5000 are refunded
    refunded = connector.refund(paid.provider_reference, 1200, "EUR", "rfnd_test1")
    # Then the refund succeeded for that amount, and both can be synced
    assert refunded.outcome is Outcome.SUCCEEDED
    assert refunded.provider_reference.startswith("re_")
    assert (refunded.amount, refunded.currency) == (1200, "EUR")
    assert connector.sync(refunded.provider_reference).outcome is Outcome.SUCCEEDED
    synced = connector.sync(paid.provider_reference)
    assert (synced.outcome, synced.raw_status, synced.amount) == (Outcome.SUCCEEDED, "succeeded", 5000)


def test_sync_of_an_authorization(connector: StripeConnector) -> None:
    authorized = connector.authorize(payment(capture=False))
    synced = connector.sync(authorized.provider_reference)
    assert synced.outcome is Outcome.SUCCEEDED
    assert synced.raw_status == "requires_capture"
    assert synced.provider_reference == authorized.provider_reference


def test_a_declined_card_is_a_soft_decline_with_stripes_words(connector: StripeConnector) -> None:
    # localstripe declines 4000 0000 0000 0341 on charge with card_declined and no decline_code, which
    # Stripe documents as generic_decline: soft (the payer may try again or another card)
    result = connector.authorize(payment(CHARGE_DECLINED))
    assert result.outcome is Outcome.DECLINED_SOFT
    assert (result.provider_code, result.provider_message) == ("card_declined", "Your card was declined.")


def test_the_declined_intent_syncs_as_declined(
    connector: StripeConnector, stripe_api: stripe.StripeClient
) -> None:
    request = payment(CHARGE_DECLINED)
    connector.authorize(request)
    intent = next(
        i
        for i in stripe_api.v1.payment_intents.list({"limit": 100}).data
        if i.to_dict()["metadata"].get("payment_id") == request.payment_id
    )
    synced = connector.sync(intent.id)
    assert (synced.outcome, synced.raw_status) == (Outcome.DECLINED_SOFT, "requires_payment_method")
    assert synced.provider_code == "card_declined"


def test_a_key_localstripe_does_not_accept(localstripe_url: str) -> None:
    # localstripe checks the key's shape only (sk_ and more than 5 characters), not its value
    wrong = StripeConnector("not-a-stripe-key", api_base=localstripe_url, timeout=5.0, send_return_url=False)
    result = wrong.authorize(payment())
    assert result.outcome is Outcome.PROCESSOR_ERROR
    assert result.provider_message == "Unauthorized"


def _authenticate(
    localstripe_url: str, stripe_api: stripe.StripeClient, intent_id: str, success: bool
) -> None:
    """The payer's side of the challenge, as localstripe's Stripe.js stand-in does it."""
    secret = stripe_api.v1.payment_intents.retrieve(intent_id).client_secret
    answer = requests.post(
        f"{localstripe_url}/v1/payment_intents/{intent_id}/_authenticate",
        data={"key": "pk_test_k17", "client_secret": secret, "success": str(success).lower()},
        timeout=5,
    )
    answer.raise_for_status()


@pytest.mark.parametrize(("passed", "outcome"), [(True, Outcome.SUCCEEDED), (False, Outcome.DECLINED_SOFT)])
def test_three_d_secure_card_requires_action(
    connector: StripeConnector,
    stripe_api: stripe.StripeClient,
    localstripe_url: str,
    passed: bool,
    outcome: Outcome,
) -> None:
    # Given the card Stripe always challenges; localstripe answers like Stripe without return_url:
    # requires_action with next_action use_stripe_sdk, so there is no redirect address to give
    challenged = connector.authorize(payment(THREE_DS_ALWAYS))
    assert challenged.outcome is Outcome.REQUIRES_ACTION
    assert challenged.details["next_action_type"] == "use_stripe_sdk"
    assert challenged.next_action_url is None
    # When the payer completes (or fails) the challenge
    _authenticate(localstripe_url, stripe_api, challenged.provider_reference, passed)
    # Then sync tells the outcome
    synced = connector.sync(challenged.provider_reference)
    assert synced.outcome is outcome
    if not passed:
        assert synced.provider_code == "payment_intent_authentication_failure"


def test_no_key_or_card_number_in_any_repr(localstripe_url: str) -> None:
    key = "sk_test_SECRETk17key0123456789"
    connector = StripeConnector(key, api_base=localstripe_url, timeout=5.0, send_return_url=False)
    requests_ = [payment(VISA), payment(CHARGE_DECLINED), payment(THREE_DS_ALWAYS)]
    results: list[ConnectorResult] = [connector.authorize(r) for r in requests_]
    results.append(connector.refund(results[0].provider_reference, 100, "EUR", "rfnd_test_secret"))
    results.append(connector.sync("pi_doesnotexist"))
    shown = " ".join(f"{o!r} {o!s}" for o in [connector, *requests_, *(r.card for r in requests_), *results])
    assert key not in shown
    assert "SECRETk17key" not in shown
    for number in (VISA, CHARGE_DECLINED, THREE_DS_ALWAYS):
        assert number not in shown
    assert f"'{CVC}'" not in shown
    assert f"={CVC}" not in shown


def test_webhooks_localstripe_signs_verify(
    connector: StripeConnector, localstripe_url: str, webhook_receiver: WebhookReceiver
) -> None:
    # Given localstripe delivering payment_intent events to us, signed with the endpoint's secret
    secret = "whsec_k17localstripe"
    registered = requests.post(
        f"{localstripe_url}/_config/webhooks/k17",
        auth=(API_KEY, ""),
        json={"url": webhook_receiver.url, "secret": secret,
              "events": ["payment_intent.succeeded", "payment_intent.payment_failed"]},
        timeout=5,
    )  # fmt: skip
    registered.raise_for_status()
    # When one payment succeeds and one is declined
    paid = connector.authorize(payment())
    declined_request = payment(CHARGE_DECLINED)
    connector.authorize(declined_request)

    def delivered(kind: str, match: str) -> list:
        return [r for r in webhook_receiver.received if kind in r.body.decode() and match in r.body.decode()]

    # Then both arrive (localstripe waits a second before sending), verify and normalize
    succeeded = wait_for(lambda: delivered("payment_intent.succeeded", paid.provider_reference),
                         timeout=20, what="payment_intent.succeeded")[0]  # fmt: skip
    failed = wait_for(lambda: delivered("payment_intent.payment_failed", declined_request.payment_id),
                      timeout=20, what="payment_intent.payment_failed")[0]  # fmt: skip
    event = connector.parse_webhook(succeeded.body, succeeded.headers, secret)
    assert (event.kind, event.raw_type) == ("payment.succeeded", "payment_intent.succeeded")
    assert event.provider_reference == paid.provider_reference
    assert event.result.outcome is Outcome.SUCCEEDED
    assert event.event_id.startswith("evt_")
    failure = connector.parse_webhook(failed.body, failed.headers, secret)
    assert (failure.kind, failure.result.outcome) == ("payment.failed", Outcome.DECLINED_SOFT)
    assert failure.result.provider_code == "card_declined"
    # the same delivery parsed again names the same event: what applying it once is keyed on
    assert connector.parse_webhook(succeeded.body, succeeded.headers, secret).event_id == event.event_id
    # another secret, or a body changed in transit, does not verify
    with pytest.raises(InvalidSignature):
        connector.parse_webhook(succeeded.body, succeeded.headers, "whsec_other")
    tampered = json.loads(succeeded.body)
    tampered["data"]["object"]["amount"] = 1
    with pytest.raises(InvalidSignature):
        connector.parse_webhook(json.dumps(tampered).encode(), succeeded.headers, secret)
