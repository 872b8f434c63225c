"""Wallet payments over HTTP (docs/connectors.md#wallets): method ``wallet`` with its wallet on payments,
public checkout payments and intent confirmation (bad input: 400 naming the field, nothing written);
``requires_action`` with the hosted wallet page's ``next_action``; the payer's answer on the
authenticate route (approved -> success once, declined -> WALLET_DECLINED); tokens bound to their
purpose (a 3-D Secure challenge's token is no wallet approval, nor the reverse); the timeout
(WALLET_TIMEOUT, through the real ExpireChallenge job); tenant and mode isolation; no token in the logs.
The browser flow is tests/browser/test_wallets.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from localcloud.runtime import LocalCloud

from tests.integration.gateway.client import Api, card, error_of
from tests.integration.gateway.conftest import keys_of

CHALLENGED = "4000002500003155"  # the 3-D Secure card that is always challenged
BACK = "http://127.0.0.1:9/shop/return?order=1"  # http: the stack runs in test mode
CLOSED = "http://127.0.0.1:9"  # a port nothing listens on
STRIPE_KEY = "sk_test_wallets4242abcd"  # the secret scan looks for it


def _wallet(name: str = "paytm", **more: Any) -> dict[str, Any]:
    return {"method": "wallet", "wallet": name, **more}


def _token(payment: dict[str, Any]) -> str:
    return parse_qs(urlsplit(payment["next_action"]["redirect_to_url"]["url"]).query)["token"][0]


def _answer(checkout: Api, payment_id: str, body: dict[str, Any]) -> Any:
    return checkout.post(f"/api/v1/payments/{payment_id}/authenticate", body)


@pytest.fixture(scope="module")
def flows(api: Api, gateway: LocalCloud, second_merchant: dict[str, Any]) -> dict[str, Any]:
    """Every payment of the module, created at once so their attempts run together."""
    checkout = Api(gateway.url)
    orders = {name: api.order(5_000) for name in ("approve", "public", "timeout", "card")}
    created = {
        "approve": api.created("/api/v1/payments", {"order_id": orders["approve"]["id"], **_wallet()}),
        "timeout": api.created(
            "/api/v1/payments", {"order_id": orders["timeout"]["id"], **_wallet("amazonpay")}
        ),
        "card": api.created("/api/v1/payments", {"order_id": orders["card"]["id"], **card(CHALLENGED)}),
    }
    public = checkout.post(
        "/api/v1/payments/public",
        {"order_id": orders["public"]["id"], **_wallet("phonepe"), "return_url": BACK},
    )
    assert public.status_code == 201, public.text
    created["public"] = public.json()
    intent = api.created("/api/v1/payment_intents", {"amount": 7_000})
    confirmed = api.post(f"/api/v1/payment_intents/{intent['id']}/confirm", _wallet("amazonpay"))
    assert confirmed.status_code == 200, confirmed.text
    live = Api.with_key(gateway.url, *keys_of(second_merchant, "live"))
    live_order = live.order(3_000)
    created_live = live.created("/api/v1/payments", {"order_id": live_order["id"], **_wallet("phonepe")})
    settled = {name: api.settled(f"/api/v1/payments/{p['id']}") for name, p in created.items()}
    settled["live"] = live.settled(f"/api/v1/payments/{created_live['id']}")
    intent = api.settled(f"/api/v1/payment_intents/{intent['id']}", pending="processing")
    return {"checkout": checkout, "payments": settled, "intent": intent, "live": live}


def test_a_wallet_payment_requires_action_with_the_hosted_wallet_page(
    api: Api, flows: dict[str, Any]
) -> None:
    # Given a wallet payment on an order
    payment = flows["payments"]["approve"]
    # Then it is stored and answered with its wallet, and waits on its payer at the hosted wallet page
    assert (payment["status"], payment["method"], payment["wallet"]) == ("requires_action", "wallet", "paytm")
    assert (payment["vpa"], payment["card"], payment["authentication"]) == (None, None, None)
    action = payment["next_action"]
    url = urlsplit(action["redirect_to_url"]["url"])
    assert (action["type"], url.path) == ("redirect_to_url", "/checkout/wallet")
    assert parse_qs(url.query)["payment_id"] == [payment["id"]]
    # no return_url given: the wallet page's own result view
    assert action["redirect_to_url"]["return_url"] == f"/checkout/wallet?payment_id={payment['id']}"
    assert [call["outcome"] for call in payment["attempts"]] == ["requires_action"]
    assert payment["routing"], "the routing trace is kept as for any payment"
    # And the payer-facing answer shows the wallet (the page names it) and next_action, nothing more
    public = flows["checkout"].get(f"/api/v1/payments/{payment['id']}/public").json()
    assert (public["wallet"], public["next_action"]) == ("paytm", action)
    # And the checkout's return_url is the public payment's own
    assert flows["payments"]["public"]["next_action"]["redirect_to_url"]["return_url"] == BACK
    # And it is listed by method
    listed = api.get("/api/v1/payments", params={"method": "wallet", "limit": 100}).json()["items"]
    assert payment["id"] in {p["id"] for p in listed}


def test_bad_wallet_inputs_are_refused_naming_the_field_and_nothing_is_written(
    api: Api, flows: dict[str, Any]
) -> None:
    order = api.order(5_000)
    intent = api.created("/api/v1/payment_intents", {"amount": 5_000})
    bad = {
        "no wallet": ({"method": "wallet"}, "wallet"),
        "an unknown wallet": (_wallet("googlepay"), "wallet"),
        "a null wallet": ({"method": "wallet", "wallet": None}, "wallet"),
        "a wallet and a card": ({**_wallet(), "card": card()["card"]}, "card"),
        "a wallet and a vpa": (_wallet(vpa="payer@okaxis"), "vpa"),
        "upi with a wallet": ({"method": "upi", "vpa": "payer@okaxis", "wallet": "paytm"}, "wallet"),
        "a card with a wallet": ({**card(), "wallet": "phonepe"}, "wallet"),
    }
    routes = {
        "payments": (api, "/api/v1/payments", {"order_id": order["id"]}),
        "public": (flows["checkout"], "/api/v1/payments/public", {"order_id": order["id"]}),
        "confirm": (api, f"/api/v1/payment_intents/{intent['id']}/confirm", {}),
    }
    for route, (client, path, base) in routes.items():
        for what, (body, field) in bad.items():
            answer = client.post(path, {**base, **body})
            assert answer.status_code == 400, (route, what, answer.text)
            assert error_of(answer)["field"] == field, (route, what, answer.text)
    # Then nothing was written: no attempt on the order, the intent still waits for a method
    assert api.get(f"/api/v1/orders/{order['id']}").json()["attempts"] == 0
    after = api.get(f"/api/v1/payment_intents/{intent['id']}").json()
    assert (after["status"], after["latest_payment_id"]) == ("requires_payment_method", None)


def _signed(gateway: LocalCloud, payment_id: str, expires: int, label: str) -> str:
    """A token signed with the deployment's own key under ``label`` (the purpose bound in the MAC)."""
    spec = gateway.deployed.functions.get(gateway.physical("Payments/AuthenticatePayment")).spec
    key = spec.environment["CHALLENGE_SIGNING_KEY"].encode()
    mac = hmac.new(key, f"{label}|{payment_id}|{expires}".encode(), hashlib.sha256).digest()
    return f"{expires}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def test_a_challenge_token_is_no_wallet_approval_nor_the_reverse(
    api: Api, gateway: LocalCloud, flows: dict[str, Any]
) -> None:
    checkout = flows["checkout"]
    wallet, challenged = flows["payments"]["approve"], flows["payments"]["card"]
    assert challenged["status"] == "requires_action"
    before = {p["id"]: api.get(f"/api/v1/payments/{p['id']}").json() for p in (wallet, challenged)}
    expires = int(_token(wallet).split(".")[0])
    # the deployment's key, the right payment and expiry, the other purpose's label
    as_challenge = _signed(gateway, wallet["id"], expires, "paygate-challenge/v1")
    as_wallet = _signed(gateway, challenged["id"], expires, "paygate-wallet/v1")
    assert _signed(gateway, wallet["id"], expires, "paygate-wallet/v1") == _token(wallet)  # the real one
    refused = [
        (wallet, {"token": as_challenge, "result": "approved"}, "token"),
        (wallet, {"token": as_challenge, "result": "authenticated"}, "token"),
        (challenged, {"token": as_wallet, "result": "authenticated"}, "token"),
        (challenged, {"token": as_wallet, "result": "approved"}, "token"),
        (wallet, {"token": _token(challenged), "result": "approved"}, "token"),  # another payment's
        # the right token, the other flow's answer
        (wallet, {"token": _token(wallet), "result": "authenticated"}, "result"),
        (challenged, {"token": _token(challenged), "result": "approved"}, "result"),
        (wallet, {"token": _token(wallet)}, "result"),
    ]
    for payment, body, field in refused:
        answer = _answer(checkout, payment["id"], body)
        assert answer.status_code == 400, (body, answer.text)
        assert error_of(answer)["field"] == field, (body, answer.text)
    # Then nothing changed
    assert {p: api.get(f"/api/v1/payments/{p}").json() for p in before} == before


def test_approved_at_the_wallet_succeeds_once(api: Api, flows: dict[str, Any]) -> None:
    checkout = flows["checkout"]
    payment = flows["payments"]["approve"]
    body = {"token": _token(payment), "result": "approved"}
    # When the payer's approval is posted three times at once
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: _answer(checkout, payment["id"], body), range(3)))
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    assert {a.json()["status"] for a in answers} == {"success"}
    # Then the simulator authorized once, and the payment keeps the payer's answer
    done = api.get(f"/api/v1/payments/{payment['id']}").json()
    assert (done["status"], done["next_action"], done["error_code"]) == ("success", None, None)
    assert [call["outcome"] for call in done["attempts"]] == ["requires_action", "succeeded"]
    approval = done["wallet_authorization"]
    assert (approval["status"], approval["wallet"]) == ("approved", "paytm") and approval["at"]
    assert api.get(f"/api/v1/orders/{done['order_id']}").json()["status"] == "paid"
    # And a late decline with the same token changes nothing
    late = _answer(checkout, payment["id"], {**body, "result": "declined"})
    assert late.status_code == 200 and late.json()["status"] == "success"
    assert api.get(f"/api/v1/payments/{payment['id']}").json() == done


def test_declined_at_the_wallet_fails_and_the_payer_sees_no_detail(api: Api, flows: dict[str, Any]) -> None:
    payment = flows["payments"]["public"]
    answer = _answer(flows["checkout"], payment["id"], {"token": _token(payment), "result": "declined"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["error_code"]) == ("failed", "PAYMENT_DECLINED")
    failed = api.get(f"/api/v1/payments/{payment['id']}").json()
    assert (failed["status"], failed["error_code"], failed["next_action"]) == (
        "failed",
        "WALLET_DECLINED",
        None,
    )
    assert (failed["wallet_authorization"]["status"], failed["wallet"]) == ("declined", "phonepe")
    assert api.get(f"/api/v1/orders/{failed['order_id']}").json()["status"] == "attempted"


def test_an_intent_confirmed_with_a_wallet_succeeds_once_approved(api: Api, flows: dict[str, Any]) -> None:
    intent = flows["intent"]
    assert intent["status"] == "requires_action", intent
    assert urlsplit(intent["next_action"]["redirect_to_url"]["url"]).path == "/checkout/wallet"
    payment = api.get(f"/api/v1/payments/{intent['latest_payment_id']}").json()
    assert (payment["wallet"], payment["next_action"]) == ("amazonpay", intent["next_action"])
    answer = _answer(flows["checkout"], payment["id"], {"token": _token(payment), "result": "approved"})
    assert answer.status_code == 200, answer.text
    after = api.get(f"/api/v1/payment_intents/{intent['id']}").json()
    assert (after["status"], after["amount_received"], after["next_action"]) == ("succeeded", 7_000, None)


def test_a_wallet_left_alone_times_out(api: Api, gateway: LocalCloud, flows: dict[str, Any]) -> None:
    # Given a wallet payment whose deadline has passed (moved back in the table: the stack's deadline is
    # ten minutes), and its timeout message arriving (the real queue and ExpireChallenge job)
    payment = flows["payments"]["timeout"]
    boto3.client("dynamodb", region_name=gateway.region).update_item(
        TableName=gateway.physical("Payments/PaymentsTable"),
        Key={"pk": {"S": payment["id"]}, "sk": {"S": "OBJ"}},
        UpdateExpression="SET challenge_expires_at = :past",
        ExpressionAttributeValues={":past": {"S": "2020-01-01T00:00:00.000Z"}},
    )
    boto3.client("sqs", region_name=gateway.region).send_message(
        QueueUrl=gateway.physical("Payments/ChallengeTimeoutQueue"),
        MessageBody=json.dumps({"payment_id": payment["id"]}),
    )
    # Then it fails with the wallet's own code, and says the payer never answered
    failed = api.settled(f"/api/v1/payments/{payment['id']}", pending="requires_action")
    assert (failed["status"], failed["error_code"]) == ("failed", "WALLET_TIMEOUT")
    assert (failed["wallet_authorization"]["status"], failed["wallet"]) == ("timed_out", "amazonpay")
    # And the payer's late approval changes nothing
    late = _answer(flows["checkout"], payment["id"], {"token": _token(payment), "result": "approved"})
    assert late.status_code == 200 and late.json()["status"] == "failed"


def test_wallet_payments_are_isolated_by_merchant_and_mode(
    api: Api, gateway: LocalCloud, flows: dict[str, Any], second_merchant: dict[str, Any]
) -> None:
    mine, theirs_live, live = flows["payments"]["approve"], flows["payments"]["live"], flows["live"]
    other_test = Api.with_key(gateway.url, *keys_of(second_merchant, "test"))
    # another merchant never sees mine
    assert other_test.get(f"/api/v1/payments/{mine['id']}").status_code == 404
    listed = other_test.get("/api/v1/payments", params={"method": "wallet", "limit": 100}).json()["items"]
    assert mine["id"] not in {p["id"] for p in listed}
    assert api.get(f"/api/v1/payments/{theirs_live['id']}").status_code == 404
    # a live wallet payment is the live key's alone: its merchant's test key neither sees nor lists it
    assert (theirs_live["mode"], theirs_live["wallet"]) == ("live", "phonepe")
    assert live.get(f"/api/v1/payments/{theirs_live['id']}").json()["wallet"] == "phonepe"
    assert other_test.get(f"/api/v1/payments/{theirs_live['id']}").status_code == 404
    listed = other_test.get("/api/v1/payments", params={"method": "wallet", "limit": 100}).json()["items"]
    assert theirs_live["id"] not in {p["id"] for p in listed}


def test_no_token_or_card_number_in_any_log_line(captured_logs: Any, flows: dict[str, Any]) -> None:
    text = "\n".join(captured_logs.lines)
    macs = [_token(p).split(".")[1] for p in flows["payments"].values() if p.get("next_action")]
    assert macs and not [mac for mac in macs if mac in text]
    assert CHALLENGED not in text


def test_a_wallet_routed_to_stripe_fails_as_a_processor_error_naming_it(
    admin: Api, gateway: LocalCloud
) -> None:
    # Given a merchant whose rule sends wallets to Stripe (which offers none of them; nothing is called:
    # the connector answers before any request, so its address may be a closed port)
    made = admin.created("/api/v1/admin/merchants", {"name": "Wallet Shop", "email": "wallets@example.com"})
    shop = Api.with_key(gateway.url, *keys_of(made, "test"))
    stripe = shop.created(
        "/api/v1/connectors",
        {"connector": "stripe", "credentials": {"api_key": STRIPE_KEY}, "base_url": CLOSED},
    )
    rules = {
        "rules": [
            {
                "name": "wallets to stripe",
                "conditions": {"methods": ["wallet"]},
                "action": {"type": "priority", "connectors": [stripe["id"]]},
            }
        ]
    }
    assert shop.session.put(shop.base + "/api/v1/routing", json=rules, timeout=30).status_code == 200
    # When a wallet payment is made
    payment = shop.payment(shop.order(5_000)["id"], _wallet("paytm"))
    failed = shop.settled(f"/api/v1/payments/{payment['id']}")
    # Then it fails at once as the provider refusing it, said in its attempt, routed by the rule
    assert (failed["status"], failed["error_code"]) == ("failed", "PROCESSOR_ERROR")
    assert "wallet" in failed["error_description"]
    [call] = failed["attempts"]
    assert (call["connector"], call["outcome"], call["provider_code"]) == (
        "stripe", "processor_error", "unsupported_payment_method"
    )  # fmt: skip
    assert failed["routing"][0]["rule"]["name"] == "wallets to stripe"
