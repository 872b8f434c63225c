"""Saved payment methods, setup intents and off-session payments over HTTP against localcloud (issue 18's
must-shows): a card saved through a setup intent with and without 3-D Secure, then paid twice with its
``pm_…`` (on and off session) at Stripe (localstripe, a real process) which received the real card; no
table holds the PAN in clear; the rotation re-encrypts it and it still pays; the same card saved by two
customers has one fingerprint; a detached method cannot be used; an off-session payment the card wants
to authenticate fails AUTHENTICATION_REQUIRED and its webhook says so; every new route refuses other
tenants, the other mode and bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from localcloud.runtime import LocalCloud
from localstripe.resources import fingerprint as stripe_fingerprint
from standardwebhooks import Webhook

from tests.helpers import wait_for
from tests.integration.gateway.client import Api, error_of
from tests.integration.gateway.conftest import keys_of
from tests.integration.gateway.receiver import Receiver, start_receiver
from tests.servers import Localstripe

STRIPE_KEY = "sk_test_savedmethods4242"
VISA = "4242424242424242"
CHALLENGED = "4000002500003155"
ALWAYS = "4000002760003184"
ACCEPTANCE = {
    "customer_acceptance": {
        "type": "online",
        "online": {"ip_address": "198.51.100.7", "user_agent": "Shop/1"},
    }
}


def _card(number: str, month: int = 11) -> dict[str, Any]:
    return {
        "number": number,
        "expiry_month": month,
        "expiry_year": 2032,
        "cvv": "314",
        "holder_name": "Ada Saver",
    }


@pytest.fixture(scope="module")
def stripe_server() -> Iterator[Localstripe]:
    server = Localstripe()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


@pytest.fixture(scope="module")
def merchant(admin: Api) -> dict[str, Any]:
    return admin.created("/api/v1/admin/merchants", {"name": "Saver Shop", "email": "saver@example.com"})


@pytest.fixture(scope="module")
def shop(merchant: dict[str, Any], gateway: LocalCloud, stripe_server: Localstripe) -> Api:
    """A merchant whose card payments of 10.00 or more go to Stripe; smaller ones (and the zero-amount
    verifications of setup intents) stay with the gateway's simulator."""
    api = Api.with_key(gateway.url, *keys_of(merchant, "test"))
    stripe = api.created(
        "/api/v1/connectors",
        {"connector": "stripe", "credentials": {"api_key": STRIPE_KEY}, "base_url": stripe_server.url},
    )
    rules = {
        "rules": [
            {
                "name": "cards to stripe",
                "conditions": {"methods": ["card"], "currencies": ["INR"], "amount": {"min": 1_000}},
                "action": {"type": "priority", "connectors": [stripe["id"]]},
            }
        ]
    }
    put = api.session.put(api.base + "/api/v1/routing", json=rules, timeout=30)
    assert put.status_code == 200, put.text
    return api


@pytest.fixture(scope="module")
def live(merchant: dict[str, Any], gateway: LocalCloud) -> Api:
    return Api.with_key(gateway.url, *keys_of(merchant, "live"))


def _customer(api: Api, email: str = "ada@example.com") -> str:
    return api.created("/api/v1/customers", {"name": "Ada Saver", "email": email})["id"]


def _token(next_action: dict[str, Any]) -> str:
    return parse_qs(urlsplit(next_action["redirect_to_url"]["url"]).query)["token"][0]


def _saved(api: Api, customer: str, number: str, gateway: LocalCloud) -> dict[str, Any]:
    """A card saved through a setup intent (its challenge completed when the card asks for one)."""
    intent = api.created("/api/v1/setup_intents", {"customer": customer})
    assert intent["status"] == "requires_payment_method"
    confirmed = api.post(
        f"/api/v1/setup_intents/{intent['id']}/confirm",
        {"payment_method_data": {"type": "card", "card": _card(number)}, "mandate_data": ACCEPTANCE},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "processing"
    settled = api.settled(f"/api/v1/setup_intents/{intent['id']}", pending="processing")
    if settled["status"] == "requires_action":
        checkout = Api(gateway.url)
        answer = checkout.post(
            f"/api/v1/payments/{settled['latest_attempt']}/authenticate",
            {"token": _token(settled["next_action"]), "result": "authenticated"},
        )
        assert answer.status_code == 200, answer.text
        settled = api.settled(f"/api/v1/setup_intents/{intent['id']}", pending="requires_action")
    assert settled["status"] == "succeeded", settled
    return settled


def _pay(api: Api, customer: str, pm: str, amount: int, off_session: bool) -> dict[str, Any]:
    order = api.order(amount, customer=customer)
    body = {"order_id": order["id"], "payment_method": pm, "off_session": off_session}
    payment = api.created("/api/v1/payments", body)
    return api.settled(f"/api/v1/payments/{payment['id']}", timeout=30)


def _stripe_card(stripe_server: Localstripe, reference: str) -> dict[str, Any]:
    auth = (STRIPE_KEY, "")
    intent = requests.get(f"{stripe_server.url}/v1/payment_intents/{reference}", auth=auth, timeout=10).json()
    method = requests.get(
        f"{stripe_server.url}/v1/payment_methods/{intent['payment_method']}", auth=auth, timeout=10
    )
    return {"intent": intent, "card": method.json()["card"]}


def _scan_all(gateway: LocalCloud) -> str:
    client = boto3.client("dynamodb", region_name=gateway.region)
    dumps = []
    for name in client.list_tables()["TableNames"]:
        dumps.append(str(client.scan(TableName=name)["Items"]))
    return "\n".join(dumps)


def test_a_card_saved_without_and_with_3ds_pays_on_and_off_session_at_stripe_with_the_real_card(
    shop: Api, gateway: LocalCloud, stripe_server: Localstripe
) -> None:
    customer = _customer(shop)
    plain = _saved(shop, customer, VISA, gateway)
    secured = _saved(shop, customer, CHALLENGED, gateway)
    assert plain["mandate"]["customer_acceptance"]["online"] == ACCEPTANCE["customer_acceptance"]["online"]
    listed = shop.get(f"/api/v1/customers/{customer}/payment_methods?type=card").json()
    assert {m["id"] for m in listed["items"]} == {plain["payment_method"], secured["payment_method"]}
    # paid twice with each saved method: on session, then off session (no challenge: the mandate); the
    # plain card at Stripe (25.00), the 3-D Secure one with the simulator (5.00: localstripe answers a
    # challenge without an address to send the payer to, docs/connectors.md)
    for setup, last4, amount in ((plain, "4242", 2_500), (secured, "3155", 500)):
        for off_session in (False, True):
            paid = _pay(shop, customer, setup["payment_method"], amount, off_session)
            if paid["status"] == "requires_action":  # the 3-D Secure card asks again on session
                assert not off_session and last4 == "3155"
                answer = Api(gateway.url).post(
                    f"/api/v1/payments/{paid['id']}/authenticate",
                    {"token": _token(paid["next_action"]), "result": "authenticated"},
                )
                assert answer.status_code == 200, answer.text
                paid = shop.settled(f"/api/v1/payments/{paid['id']}", pending="requires_action", timeout=30)
            assert paid["status"] == "success", (paid["error_code"], paid["attempts"])
            assert (paid["payment_method"], paid["off_session"], paid["card"]["last4"]) == (
                setup["payment_method"],
                off_session,
                last4,
            )
            saved_card = shop.get(f"/api/v1/payment_methods/{setup['payment_method']}").json()["card"]
            assert (
                paid["card"]["fingerprint"] == saved_card["fingerprint"] and paid["card"]["country"] == "US"
            )
            call = paid["attempts"][-1]
            if last4 == "3155":
                assert call["connector"] == "simulator"
                continue
            assert call["connector"] == "stripe", paid
            at_stripe = _stripe_card(stripe_server, call["provider_reference"])
            assert at_stripe["intent"]["status"] == "succeeded" and at_stripe["intent"]["amount"] == 2_500
            # Stripe got the whole card: its fingerprint is of the full number, the expiry is the saved one
            assert at_stripe["card"]["fingerprint"] == stripe_fingerprint(VISA)
            assert (at_stripe["card"]["last4"], at_stripe["card"]["exp_month"]) == (last4, 11)
    # no table holds a PAN in clear
    everything = _scan_all(gateway)
    for pan in (VISA, CHALLENGED):
        assert pan not in everything


def test_rotation_re_encrypts_saved_cards_they_still_pay_and_a_second_run_changes_nothing(
    shop: Api, gateway: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    from paygate_cli.main import main

    customer = _customer(shop, "rotate@example.com")
    saved = _saved(shop, customer, VISA, gateway)
    assert main(["vault", "rotate", "--stack", "paygate", "--region", gateway.region]) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert first["done"] and first["failed"] == 0 and first["re_encrypted"] >= 1
    again = ["vault", "rotate", "--stack", "paygate", "--region", gateway.region, "--run-id", first["run_id"]]
    assert main(again) == 0
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (second["re_encrypted"], second["failed"]) == (0, 0)
    assert second["already_current"] == second["cards_scanned"] >= first["cards_scanned"]
    paid = _pay(shop, customer, saved["payment_method"], 2_000, True)
    assert paid["status"] == "success", paid


def test_the_same_card_saved_by_two_customers_has_one_fingerprint_and_a_detached_method_is_dead(
    shop: Api, gateway: LocalCloud
) -> None:
    ada, bob = _customer(shop, "a2@example.com"), _customer(shop, "b2@example.com")
    first = shop.created("/api/v1/payment_methods", {"type": "card", "card": _card(VISA), "customer": ada})
    second = shop.created("/api/v1/payment_methods", {"type": "card", "card": _card(VISA), "customer": bob})
    other = shop.created("/api/v1/payment_methods", {"type": "card", "card": _card("5555555555554444")})
    assert first["card"]["fingerprint"] == second["card"]["fingerprint"] != other["card"]["fingerprint"]
    assert (first["card"]["country"], first["card"]["network"]) == ("US", "visa")
    # bob's card pays only bob's orders
    wrong = shop.post(
        "/api/v1/payments",
        {"order_id": shop.order(2_000, customer=ada)["id"], "payment_method": second["id"]},
    )
    assert wrong.status_code == 400 and error_of(wrong)["field"] == "payment_method"
    # the default, then the detach: the default is cleared, the method is dead
    set_default = shop.patch(f"/api/v1/customers/{bob}", {"default_payment_method": second["id"]})
    assert set_default.status_code == 200 and set_default.json()["default_payment_method"] == second["id"]
    detached = shop.post(f"/api/v1/payment_methods/{second['id']}/detach")
    assert detached.status_code == 200 and detached.json()["customer"] is None, detached.text
    assert shop.get(f"/api/v1/customers/{bob}").json()["default_payment_method"] is None
    order = shop.order(2_000, customer=bob)
    dead = shop.post("/api/v1/payments", {"order_id": order["id"], "payment_method": second["id"]})
    assert dead.status_code == 400 and error_of(dead)["field"] == "payment_method", dead.text
    again = shop.post(f"/api/v1/payment_methods/{second['id']}/attach", {"customer": bob})
    assert again.status_code == 400, again.text
    assert shop.get(f"/api/v1/customers/{bob}/payment_methods").json()["count"] == 0
    assert shop.get(f"/api/v1/orders/{order['id']}").json()["attempts"] == 0  # nothing written


def test_an_off_session_payment_the_card_wants_to_authenticate_fails_and_its_webhook_says_so(
    shop: Api, gateway: LocalCloud, receiver: Receiver
) -> None:
    endpoint = shop.created(
        "/api/v1/webhook_endpoints", {"url": receiver.url + "/saved", "enabled_events": ["payment.failed"]}
    )
    customer = _customer(shop, "auth@example.com")
    saved = _saved(shop, customer, ALWAYS, gateway)
    failed = _pay(shop, customer, saved["payment_method"], 500, True)  # the simulator (under 10.00)
    assert failed["status"] == "failed" and failed["error_code"] == "AUTHENTICATION_REQUIRED", failed
    assert "authentication_required" in failed["error_description"] and failed["next_action"] is None

    def delivered() -> dict[str, Any] | None:
        for received in receiver.at("/saved"):
            event = Webhook(endpoint["secret"]).verify(received.body, received.headers)
            if event["data"]["id"] == failed["id"]:
                return event
        return None

    event = wait_for(delivered, timeout=90, what="the payment.failed webhook")
    assert event["type"] == "payment.failed"
    assert event["data"]["error_code"] == "AUTHENTICATION_REQUIRED" and event["data"]["off_session"] is True


def test_setup_intents_and_payment_methods_refuse_other_tenants_and_the_other_mode(
    shop: Api, live: Api, second_merchant: dict[str, Any], gateway: LocalCloud
) -> None:
    other = Api.with_key(gateway.url, *keys_of(second_merchant, "test"))
    customer = _customer(shop, "iso@example.com")
    method = shop.created(
        "/api/v1/payment_methods", {"type": "card", "card": _card(VISA), "customer": customer}
    )
    intent = shop.created("/api/v1/setup_intents", {"customer": customer})
    for outsider in (other, live):
        for path in (
            f"/api/v1/payment_methods/{method['id']}",
            f"/api/v1/setup_intents/{intent['id']}",
            f"/api/v1/customers/{customer}/payment_methods",
        ):
            assert outsider.get(path).status_code == 404, path
        for path, body in (
            (f"/api/v1/payment_methods/{method['id']}/detach", None),
            (f"/api/v1/payment_methods/{method['id']}/attach", {"customer": customer}),
            (
                f"/api/v1/setup_intents/{intent['id']}/confirm",
                {"payment_method": method["id"], "mandate_data": ACCEPTANCE},
            ),
            (f"/api/v1/setup_intents/{intent['id']}/cancel", None),
        ):
            answer = outsider.post(path, body)
            assert answer.status_code in (400, 404), (path, answer.text)
        patched = outsider.patch(f"/api/v1/payment_methods/{method['id']}", {"metadata": {"a": "b"}})
        assert patched.status_code == 404
        # the customer is not theirs either: no setup intent, no method for it
        refused = outsider.post("/api/v1/setup_intents", {"customer": customer})
        assert refused.status_code == 400 and error_of(refused)["field"] == "customer"
        made = outsider.post(
            "/api/v1/payment_methods", {"type": "card", "card": _card(VISA), "customer": customer}
        )
        assert made.status_code == 400 and error_of(made)["field"] == "customer"
        assert outsider.get("/api/v1/setup_intents").json()["count"] == 0
    # nothing changed for the owner
    assert shop.get(f"/api/v1/payment_methods/{method['id']}").json()["customer"] == customer
    assert shop.get(f"/api/v1/setup_intents/{intent['id']}").json()["status"] == "requires_payment_method"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/payment_methods", {"type": "card"}, "card"),
        ("/api/v1/payment_methods", {"type": "upi", "card": _card(VISA)}, "upi"),
        (
            "/api/v1/payment_methods",
            {"type": "card", "card": {**_card(VISA), "number": "4242424242424241"}},
            "card.number",
        ),
        ("/api/v1/payment_methods", {"type": "wire"}, "type"),
        ("/api/v1/payment_methods", {"type": "upi", "upi": {"vpa": "nope"}}, "upi.vpa"),
        ("/api/v1/payment_methods", {"type": "upi", "upi": {"vpa": "a@okaxis"}, "extra": 1}, "extra"),
        (
            "/api/v1/payment_methods",
            {"type": "upi", "upi": {"vpa": "a@okaxis"}, "customer": "cus_x"},
            "customer",
        ),
        ("/api/v1/setup_intents", {}, "customer"),
        ("/api/v1/setup_intents", {"customer": "cus_00000000000000"}, "customer"),
        ("/api/v1/setup_intents", {"customer": "cus_00000000000000", "usage": "sometimes"}, "usage"),
        (
            "/api/v1/payments",
            {"order_id": "order_00000000000000", "payment_method": "pm_1"},
            "payment_method",
        ),
        (
            "/api/v1/payments",
            {"order_id": "order_00000000000000", "method": "upi", "vpa": "a@okaxis", "off_session": True},
            "off_session",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(shop: Api, path: str, body: dict[str, Any], field: str) -> None:
    answer = shop.post(path, body)
    assert answer.status_code == 400, answer.text
    assert error_of(answer)["field"] == field, answer.text


def test_bad_setup_confirmations_and_method_changes_name_the_field_and_write_nothing(shop: Api) -> None:
    customer = _customer(shop, "bad@example.com")
    intent = shop.created("/api/v1/setup_intents", {"customer": customer})
    upi = shop.created("/api/v1/payment_methods", {"type": "upi", "upi": {"vpa": "bad@okaxis"}})
    cases = [
        ({"payment_method_data": {"type": "card", "card": _card(VISA)}}, "mandate_data"),
        ({"mandate_data": ACCEPTANCE}, "payment_method"),
        ({"payment_method": "pm_00000000000000", "mandate_data": ACCEPTANCE}, "payment_method"),
        (
            {"payment_method": upi["id"], "payment_method_data": {"type": "upi", "upi": {"vpa": "a@okaxis"}}},
            "payment_method_data",
        ),
        (
            {"payment_method": upi["id"], "mandate_data": {"customer_acceptance": {"type": "online"}}},
            "mandate_data",
        ),
        (
            {
                "payment_method": upi["id"],
                "mandate_data": {
                    "customer_acceptance": {
                        "type": "online",
                        "online": {"ip_address": "x y", "user_agent": "u"},
                    }
                },
            },
            "mandate_data.customer_acceptance.online.ip_address",
        ),
    ]
    for body, field in cases:
        answer = shop.post(f"/api/v1/setup_intents/{intent['id']}/confirm", body)
        assert answer.status_code == 400 and error_of(answer)["field"] == field, (body, answer.text)
    assert shop.get(f"/api/v1/setup_intents/{intent['id']}").json()["status"] == "requires_payment_method"
    assert shop.get(f"/api/v1/payment_methods/{upi['id']}").json()["customer"] is None
    expiry = shop.patch(
        f"/api/v1/payment_methods/{upi['id']}", {"card": {"expiry_month": 1, "expiry_year": 2033}}
    )
    assert expiry.status_code == 400 and error_of(expiry)["field"] == "card"
    expired = shop.patch(
        f"/api/v1/payment_methods/{upi['id']}", {"card": {"expiry_month": 1, "expiry_year": 2001}}
    )
    assert expired.status_code == 400 and error_of(expired)["field"] == "card.expiry_year"
    unknown = shop.get(f"/api/v1/customers/{customer}/payment_methods?type=wire")
    assert unknown.status_code == 400 and error_of(unknown)["field"] == "type"
