"""Saved payment methods, setup intents and off-session payments on moto (payments, vault, customers and
merchants tables; the vault's key): what is saved, who may use it, and what a race cannot break."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from paygate.core import settings as paygate_settings
from paygate.core.errors import BadRequest, InvalidState, NotFound
from paygate.core.settings import Processing
from paygate.customers import service as customers
from paygate.customers.models import CustomerIn, CustomerUpdate
from paygate.events.catalog import event_types
from paygate.merchants import service as merchants
from paygate.merchants.models import MerchantIn, Principal
from paygate.payments import intents, next_action, processing, service, setup_intents, store
from paygate.payments.models import AuthenticateIn, IntentIn, MethodIn, OrderIn, PaymentIn
from paygate.payments.setup_intent_models import SetupConfirmIn, SetupIntentIn
from paygate.vault import payment_methods
from paygate.vault import service as vault
from paygate.vault.methods_models import PaymentMethodIn, PaymentMethodUpdate

from tests.helpers import at_once
from tests.unit.moto_world import tables_world, vault_key
from tests.unit.payments_world import MERCHANT, TABLES

LIVE = Principal(merchant_id=MERCHANT.merchant_id, mode="live", key_id="key_live_world")
OTHER = Principal(merchant_id="mer_other", mode="test", key_id="key_test_other")
PAN = "4242424242424242"
CHALLENGED = "4000002500003155"  # 3-D Secure on session; exempt off session once set up
ALWAYS = "4000002760003184"  # 3-D Secure on every payment, off session too
FAILS_AUTHENTICATION = "4000008400001280"
ACCEPTANCE = {
    "customer_acceptance": {"type": "online", "online": {"ip_address": "203.0.113.9", "user_agent": "UA/1"}}
}


@pytest.fixture(autouse=True)
def world() -> Iterator[None]:
    tables = {**TABLES, "CUSTOMERS_TABLE": "CustomersTable", "CONNECTORS_TABLE": "ConnectorsTable"}
    env = {"TEST_MODE": "true", "TEST_PAYMENT_SUCCESS": "true", "CHALLENGE_SIGNING_KEY": "k" * 32}
    with tables_world(tables, **env), vault_key():
        paygate_settings._cache.clear()
        for merchant_id in (MERCHANT.merchant_id, OTHER.merchant_id):
            merchants.create_merchant(
                MerchantIn(name="Shop", email=f"{merchant_id}@example.com"), merchant_id=merchant_id
            )
        yield


def _card(number: str = PAN, month: int = 7) -> dict[str, Any]:
    return {
        "number": number,
        "expiry_month": month,
        "expiry_year": 2031,
        "cvv": "123",
        "holder_name": "A Payer",
    }


def _customer(principal: Principal = MERCHANT) -> str:
    return customers.create_customer(principal, CustomerIn(name="Ada", email="ada@example.com")).id


def _method(principal: Principal = MERCHANT, number: str = PAN, customer: str | None = None) -> Any:
    data = PaymentMethodIn(type="card", card=_card(number), customer=customer)
    return payment_methods.create(principal, data)


def _run_attempt(payment_id: str) -> str:
    return processing.process(store.get(payment_id), 0, Processing.load())


def _setup(customer: str, number: str, principal: Principal = MERCHANT) -> dict[str, Any]:
    """A setup intent confirmed with a new card and its verification run; the stored intent."""
    intent = setup_intents.create(principal, SetupIntentIn(customer=customer))
    confirm = SetupConfirmIn.model_validate(
        {"payment_method_data": {"type": "card", "card": _card(number)}, "mandate_data": ACCEPTANCE}
    )
    confirmed = setup_intents.confirm(principal, intent.id, confirm)
    assert confirmed.status == "processing" and confirmed.latest_attempt
    _run_attempt(confirmed.latest_attempt)
    return store.get(intent.id)


def _complete_challenge(payment_id: str, result: str = "authenticated") -> None:
    url = store.get(payment_id)["next_action"]["redirect_to_url"]["url"]
    token = parse_qs(urlparse(url).query)["token"][0]
    next_action.authenticate(payment_id, AuthenticateIn(token=token, result=result))


def _order_for(customer: str, amount: int = 5_000) -> str:
    return service.create_order(MERCHANT, OrderIn(amount=amount, customer=customer)).id


# --- payment methods ------------------------------------------------------------------------------
def test_a_saved_card_shows_its_facts_and_its_vault_item_holds_ciphertext_only() -> None:
    method = _method()
    card = method.card
    assert card is not None and (card.network, card.last4, card.expiry_month, card.country) == (
        "visa",
        "4242",
        7,
        "US",
    )
    assert card.fingerprint and method.customer is None and method.type == "card"
    dump = str(boto3.client("dynamodb").scan(TableName="world-VaultTable")["Items"])
    assert PAN not in dump and "123'" not in dump.replace("'N': '123'", "")
    assert "4242" in dump  # last4, shown


def test_the_same_card_saved_by_two_customers_has_one_fingerprint() -> None:
    first, second = _customer(), _customer()
    a, b = _method(customer=first), _method(customer=second)
    other_card = _method(number="5555555555554444")
    assert a.card.fingerprint == b.card.fingerprint != other_card.card.fingerprint
    assert (a.customer, b.customer) == (first, second)
    other_merchant = payment_methods.create(OTHER, PaymentMethodIn(type="card", card=_card()))
    assert other_merchant.card.fingerprint != a.card.fingerprint  # keyed per merchant


def test_another_tenant_or_mode_never_sees_or_uses_a_method() -> None:
    customer = _customer()
    method = _method(customer=customer)
    for principal in (LIVE, OTHER):
        with pytest.raises(NotFound):
            payment_methods.get(principal, method.id)
        with pytest.raises(NotFound):
            payment_methods.detach(principal, method.id)
        with pytest.raises(BadRequest) as refused:
            payment_methods.for_payment(method.id, principal.merchant_id, principal.mode, customer, False)
        assert refused.value.field == "payment_method"
    live_customer = _customer(LIVE)
    with pytest.raises(BadRequest) as refused:  # a test customer cannot take a live method, nor the reverse
        payment_methods.create(LIVE, PaymentMethodIn(type="card", card=_card(), customer=customer))
    assert refused.value.field == "customer"
    assert payment_methods.list_for_customer(LIVE, live_customer, None, 10, 0).count == 0


def test_update_expiry_reaches_the_vault_card_that_authorizations_read() -> None:
    method = _method()
    updated = payment_methods.update(
        MERCHANT, method.id, PaymentMethodUpdate(card={"expiry_month": 3, "expiry_year": 2033})
    )
    assert (updated.card.expiry_month, updated.card.expiry_year) == (3, 2033)
    token = payment_methods.store.objects.get(method.id)["card_token"]
    revealed = vault.reveal(token, MERCHANT.merchant_id, "test")
    assert revealed is not None and (revealed.number, revealed.exp_month, revealed.exp_year) == (PAN, 3, 2033)
    upi = payment_methods.create(MERCHANT, PaymentMethodIn(type="upi", upi={"vpa": "a@okaxis"}))
    with pytest.raises(BadRequest) as refused:
        payment_methods.update(
            MERCHANT, upi.id, PaymentMethodUpdate(card={"expiry_month": 3, "expiry_year": 2033})
        )
    assert refused.value.field == "card"


def test_a_detached_method_is_dead_its_card_destroyed_and_the_default_cleared() -> None:
    customer = _customer()
    method = _method(customer=customer)
    customers.update_customer(MERCHANT, customer, CustomerUpdate(default_payment_method=method.id))
    token = payment_methods.store.objects.get(method.id)["card_token"]
    detached = payment_methods.detach(MERCHANT, method.id)
    assert detached.customer is None
    assert customers.get_customer(MERCHANT, customer).default_payment_method is None
    assert vault.reveal(token, MERCHANT.merchant_id, "test") is None
    assert payment_methods.list_for_customer(MERCHANT, customer, None, 10, 0).count == 0
    with pytest.raises(BadRequest) as refused:
        service.create_payment(MERCHANT, PaymentIn(order_id=_order_for(customer), payment_method=method.id))
    assert refused.value.field == "payment_method"
    with pytest.raises(InvalidState):
        payment_methods.attach(MERCHANT, method.id, customer)


def test_a_customers_method_pays_only_that_customers_orders_and_off_session_needs_a_mandate() -> None:
    ada, bob = _customer(), _customer()
    method = _method(customer=ada)
    with pytest.raises(BadRequest) as refused:
        service.create_payment(MERCHANT, PaymentIn(order_id=_order_for(bob), payment_method=method.id))
    assert refused.value.field == "payment_method"
    with pytest.raises(BadRequest) as refused:  # attached without a setup intent: no mandate
        service.create_payment(
            MERCHANT, PaymentIn(order_id=_order_for(ada), payment_method=method.id, off_session=True)
        )
    assert refused.value.field == "off_session"
    paid = service.create_payment(MERCHANT, PaymentIn(order_id=_order_for(ada), payment_method=method.id))
    item = store.get(paid.id)
    assert (paid.method, paid.payment_method, paid.card.last4) == ("card", method.id, "4242")
    assert item["card_token"] == payment_methods.store.objects.get(method.id)["card_token"]
    assert _run_attempt(paid.id) == "success"


def test_a_method_without_a_customer_is_used_once_even_by_two_payments_at_once() -> None:
    method = _method()
    orders = [service.create_order(MERCHANT, OrderIn(amount=5_000)).id for _ in range(4)]

    def pay(order_id: str) -> Any:
        try:
            return service.create_payment(MERCHANT, PaymentIn(order_id=order_id, payment_method=method.id))
        except BadRequest as refused:
            return ("refused", refused.field)

    outcomes = at_once(*[lambda o=o: pay(o) for o in orders])
    refused = [o for o in outcomes if isinstance(o, tuple)]
    assert len(refused) == 3 and all(field == "payment_method" for _, field in refused), outcomes
    assert sum(store.get(o)["attempts"] for o in orders) == 1  # the refused wrote nothing


def test_a_payment_racing_a_detach_is_never_made_with_the_dead_method(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    customer = _customer()
    method = _method(customer=customer)
    order = _order_for(customer)
    checked = payment_methods.for_payment

    def detached_in_between(*args: Any) -> Any:
        found = checked(*args)
        payment_methods.detach(MERCHANT, method.id)  # lands between the payment's read and its write
        return found

    monkeypatch.setattr(payment_methods, "for_payment", detached_in_between)
    with pytest.raises(BadRequest) as refused:
        service.create_payment(MERCHANT, PaymentIn(order_id=order, payment_method=method.id))
    assert refused.value.field == "payment_method"
    assert store.get(order)["attempts"] == 0  # nothing of the payment was written


# --- setup intents --------------------------------------------------------------------------------
def test_setup_without_3ds_saves_the_card_with_its_mandate_and_pays_on_and_off_session() -> None:
    customer = _customer()
    intent = _setup(customer, PAN)
    assert intent["status"] == "succeeded"
    method = payment_methods.get(MERCHANT, intent["payment_method"])
    assert method.customer == customer and method.mandate is not None and method.mandate.status == "active"
    online = method.mandate.customer_acceptance.online
    assert online is not None and (online.ip_address, online.user_agent) == ("203.0.113.9", "UA/1")
    verification = store.get(intent["latest_attempt"])
    assert verification["amount"] == 0 and event_types(None, verification) == ()
    assert not store.list_for_merchant(MERCHANT.merchant_id, "test", "payment", 10, 0).items
    on = service.create_payment(MERCHANT, PaymentIn(order_id=_order_for(customer), payment_method=method.id))
    off_intent = intents.create_intent(MERCHANT, IntentIn(amount=7_000, customer=customer))
    intents.confirm_intent(MERCHANT, off_intent.id, MethodIn(payment_method=method.id, off_session=True))
    off = store.get(off_intent.id)["latest_payment_id"]
    assert _run_attempt(on.id) == "success"
    assert _run_attempt(off) == "captured" and store.get(off)["off_session"] is True
    assert store.get(off_intent.id)["status"] == "succeeded"


def test_setup_with_3ds_waits_for_the_challenge_then_saves_the_card() -> None:
    customer = _customer()
    intent = _setup(customer, CHALLENGED)
    assert intent["status"] == "requires_action" and intent["next_action"]["type"] == "redirect_to_url"
    assert payment_methods.list_for_customer(MERCHANT, customer, None, 10, 0).count == 0
    _complete_challenge(intent["latest_attempt"])
    done = store.get(intent["id"])
    assert done["status"] == "succeeded" and done.get("next_action") is None
    assert (
        payment_methods.list_for_customer(MERCHANT, customer, "card", 10, 0).items[0].id
        == done["payment_method"]
    )
    # off session, the set-up card is exempt from the challenge it asks for on session
    order = _order_for(customer)
    off = service.create_payment(
        MERCHANT, PaymentIn(order_id=order, payment_method=done["payment_method"], off_session=True)
    )
    assert _run_attempt(off.id) == "success"


def test_a_failed_challenge_leaves_the_setup_intent_to_try_again_and_nothing_saved() -> None:
    customer = _customer()
    failed = _setup(customer, FAILS_AUTHENTICATION)
    assert failed["status"] == "requires_payment_method" and failed["payment_method"] is None
    assert failed["last_setup_error"]["code"] == "AUTHENTICATION_FAILED"
    challenged = _setup(customer, CHALLENGED)
    _complete_challenge(challenged["latest_attempt"], "failed")
    assert store.get(challenged["id"])["status"] == "requires_payment_method"
    assert payment_methods.list_for_customer(MERCHANT, customer, None, 10, 0).count == 0


def test_an_off_session_payment_the_card_wants_to_authenticate_fails_authentication_required() -> None:
    customer = _customer()
    intent = _setup(customer, ALWAYS)
    _complete_challenge(intent["latest_attempt"])
    method_id = store.get(intent["id"])["payment_method"]
    off = service.create_payment(
        MERCHANT, PaymentIn(order_id=_order_for(customer), payment_method=method_id, off_session=True)
    )
    assert _run_attempt(off.id) == "failed"
    failed = store.get(off.id)
    assert (
        failed["error_code"] == "AUTHENTICATION_REQUIRED"
        and "authentication_required" in failed["error_description"]
    )
    assert failed.get("next_action") is None
    assert event_types({**failed, "status": "pending"}, failed) == ("payment.failed",)


def test_a_upi_setup_is_saved_at_once_and_a_setup_can_be_canceled_not_reconfirmed() -> None:
    customer = _customer()
    intent = setup_intents.create(MERCHANT, SetupIntentIn(customer=customer))
    done = setup_intents.confirm(
        MERCHANT,
        intent.id,
        SetupConfirmIn.model_validate(
            {"payment_method_data": {"type": "upi", "upi": {"vpa": "ada@okaxis"}}, "mandate_data": ACCEPTANCE}
        ),
    )
    assert done.status == "succeeded" and done.mandate is not None
    assert payment_methods.get(MERCHANT, done.payment_method).customer == customer
    with pytest.raises(InvalidState):
        setup_intents.cancel(MERCHANT, intent.id)
    other = setup_intents.create(MERCHANT, SetupIntentIn(customer=customer))
    assert setup_intents.cancel(MERCHANT, other.id).status == "canceled"
    with pytest.raises(InvalidState):
        setup_intents.confirm(
            MERCHANT,
            other.id,
            SetupConfirmIn.model_validate(
                {
                    "payment_method_data": {"type": "upi", "upi": {"vpa": "a@okaxis"}},
                    "mandate_data": ACCEPTANCE,
                }
            ),
        )


def test_setup_bad_input_names_the_field() -> None:
    customer = _customer()
    intent = setup_intents.create(MERCHANT, SetupIntentIn(customer=customer))
    cases = [
        ({"payment_method_data": {"type": "card", "card": _card()}}, "mandate_data"),
        ({"mandate_data": ACCEPTANCE}, "payment_method"),
        ({"payment_method": "pm_00000000000000", "mandate_data": ACCEPTANCE}, "payment_method"),
        ({"payment_method_data": {"type": "card"}, "mandate_data": ACCEPTANCE}, "card"),
        (
            {
                "payment_method_data": {"type": "upi", "upi": {"vpa": "a@okaxis"}},
                "mandate_data": {"customer_acceptance": {"type": "online"}},
            },
            "mandate_data",
        ),
    ]
    for body, field in cases:
        with pytest.raises(BadRequest) as refused:
            setup_intents.confirm(MERCHANT, intent.id, SetupConfirmIn.model_validate(body))
        assert refused.value.field == field, body
    assert store.get(intent.id)["status"] == "requires_payment_method"
    with pytest.raises(BadRequest) as refused:
        setup_intents.create(LIVE, SetupIntentIn(customer=customer))
    assert refused.value.field == "customer"
