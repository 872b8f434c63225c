"""3-D Secure over HTTP (docs/connectors.md#3-d-secure): the simulator's test cards in test mode, the
payment and intent in ``requires_action`` with Stripe's ``next_action``, the signed challenge token
(bad, forged, expired, another payment's: 400 naming ``token``, nothing changes), one outcome however
often the result is posted, the frictionless and failed-authentication cards, and the authentication
kept on the payment. The timeout runs in Chromium (tests/browser/test_three_d_secure.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from localcloud.runtime import LocalCloud

from tests.integration.gateway.client import Api, card, error_of

ALWAYS = "4000002500003155"  # always challenged
CHALLENGED = "4000000000003220"
FRICTIONLESS = "4000000000003055"
FAILS = "4000008400001280"  # authentication fails without a challenge
PANS = (ALWAYS, CHALLENGED, FRICTIONLESS, FAILS)


def _settled(api: Api, path: str) -> dict[str, Any]:
    return api.settled(path)


def _token(payment: dict[str, Any]) -> str:
    url = payment["next_action"]["redirect_to_url"]["url"]
    return parse_qs(urlsplit(url).query)["token"][0]


def _authenticate(checkout: Api, payment_id: str, body: dict[str, Any]) -> Any:
    return checkout.post(f"/api/v1/payments/{payment_id}/authenticate", body)


@pytest.fixture(scope="module")
def flows(api: Api, gateway: LocalCloud) -> dict[str, Any]:
    """Every payment of the module, created at once so their attempts run together."""
    checkout = Api(gateway.url)
    orders = {name: api.order(5_000) for name in ("always", "frictionless", "fails", "public")}
    created = {
        name: api.created("/api/v1/payments", {"order_id": orders[name]["id"], **card(pan)})
        for name, pan in (("always", ALWAYS), ("frictionless", FRICTIONLESS), ("fails", FAILS))
    }
    back = "http://127.0.0.1:9/shop/return?order=1"  # http: the stack runs in test mode
    public = checkout.post(
        "/api/v1/payments/public",
        {"order_id": orders["public"]["id"], **card(CHALLENGED), "return_url": back},
    )
    assert public.status_code == 201, public.text
    intent = api.created("/api/v1/payment_intents", {"amount": 7_000, "capture_method": "manual"})
    confirmed = api.post(f"/api/v1/payment_intents/{intent['id']}/confirm", card(CHALLENGED))
    assert confirmed.status_code == 200, confirmed.text
    settled = {name: _settled(api, f"/api/v1/payments/{p['id']}") for name, p in created.items()}
    settled["public"] = _settled(api, f"/api/v1/payments/{public.json()['id']}")
    intent = api.settled(f"/api/v1/payment_intents/{intent['id']}", pending="processing")
    return {"checkout": checkout, "payments": settled, "intent": intent, "back": back}


def test_a_challenged_card_requires_action_with_stripe_shaped_next_action(
    api: Api, flows: dict[str, Any]
) -> None:
    # Given a payment with the always-challenged card
    payment = flows["payments"]["always"]
    # Then it waits on its payer, with Stripe's next_action pointing at the hosted challenge
    assert payment["status"] == "requires_action", payment
    action = payment["next_action"]
    assert action["type"] == "redirect_to_url"
    url = urlsplit(action["redirect_to_url"]["url"])
    assert url.path == "/checkout/challenge"
    assert parse_qs(url.query)["payment_id"] == [payment["id"]]
    # no return_url given: the hosted return page
    assert action["redirect_to_url"]["return_url"] == f"/checkout/challenge?payment_id={payment['id']}"
    assert payment["attempts"][-1]["outcome"] == "requires_action"
    # And the payer-facing answer shows status and next_action, nothing more
    public = flows["checkout"].get(f"/api/v1/payments/{payment['id']}/public").json()
    assert public["status"] == "requires_action" and public["next_action"] == action
    assert set(public) == {
        "id", "order_id", "amount", "currency", "status", "method", "wallet", "error_code",
        "error_description", "next_action",
    }  # fmt: skip
    # And the given return_url is the public payment's own
    mine = flows["payments"]["public"]
    assert mine["next_action"]["redirect_to_url"]["return_url"] == flows["back"]


def _signed(gateway: LocalCloud, payment_id: str, expires: int) -> str:
    """A token signed with the deployment's own key (read from the function's environment)."""
    spec = gateway.deployed.functions.get(gateway.physical("Payments/AuthenticatePayment")).spec
    key = spec.environment["CHALLENGE_SIGNING_KEY"].encode()
    mac = hmac.new(key, f"paygate-challenge/v1|{payment_id}|{expires}".encode(), hashlib.sha256).digest()
    return f"{expires}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def test_bad_forged_expired_or_another_payments_tokens_are_refused_and_nothing_changes(
    api: Api, gateway: LocalCloud, flows: dict[str, Any]
) -> None:
    checkout = flows["checkout"]
    payment = flows["payments"]["always"]
    other = flows["payments"]["public"]
    before = api.get(f"/api/v1/payments/{payment['id']}").json()
    token = _token(payment)
    expires = int(token.split(".")[0])
    refused = {
        "no token": {"result": "authenticated"},
        "empty": {"token": "", "result": "authenticated"},
        "not a token": {"token": "nonsense", "result": "authenticated"},
        "forged mac": {"token": f"{expires}.{'A' * 43}", "result": "authenticated"},
        "extended expiry": {"token": f"{expires + 3600}.{token.split('.')[1]}", "result": "authenticated"},
        "another payment's": {"token": _token(other), "result": "authenticated"},
        "expired": {
            "token": _signed(gateway, payment["id"], int(time.time()) - 1),
            "result": "authenticated",
        },
        "a result unknown": {"token": token, "result": "maybe"},
        "no result": {"token": token},
        "an unknown field": {"token": token, "result": "failed", "eci": "05"},
    }
    fields = {}
    for what, body in refused.items():
        answer = _authenticate(checkout, payment["id"], body)
        assert answer.status_code == 400, (what, answer.text)
        fields[what] = error_of(answer).get("field")
    assert fields == {
        "no token": "token", "empty": "token", "not a token": "token", "forged mac": "token",
        "extended expiry": "token", "another payment's": "token", "expired": "token",
        "a result unknown": "result", "no result": "result", "an unknown field": "eci",
    }  # fmt: skip
    assert "expired" in error_of(_authenticate(checkout, payment["id"], refused["expired"]))["description"]
    # an unknown payment: 404, whatever the token
    missing = _authenticate(checkout, "pay_00000000000000", {"token": token, "result": "authenticated"})
    assert missing.status_code == 404, missing.text
    # Then nothing changed
    assert api.get(f"/api/v1/payments/{payment['id']}").json() == before


def test_completing_twice_at_once_and_replaying_come_to_one_outcome(api: Api, flows: dict[str, Any]) -> None:
    checkout = flows["checkout"]
    payment = flows["payments"]["always"]
    body = {"token": _token(payment), "result": "authenticated"}
    # When the payer double-clicks "Complete authentication" (four posts at once)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: _authenticate(checkout, payment["id"], body), range(4)))
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    assert {a.json()["status"] for a in answers} == {"success"}
    # Then the simulator authorized once more, with the authentication, and the payment succeeded once
    done = api.get(f"/api/v1/payments/{payment['id']}").json()
    assert done["status"] == "success" and done["next_action"] is None
    assert [a["outcome"] for a in done["attempts"]] == ["requires_action", "succeeded"]
    authentication = done["authentication"]
    assert (authentication["status"], authentication["eci"], authentication["version"]) == (
        "authenticated", "05", "2.2.0"
    )  # fmt: skip
    assert authentication["flow"] == "challenge" and authentication["at"]
    order = api.get(f"/api/v1/orders/{done['order_id']}").json()
    assert order["status"] == "paid"
    # And a late "failed" with the same token changes nothing
    late = _authenticate(checkout, payment["id"], {**body, "result": "failed"})
    assert late.status_code == 200 and late.json()["status"] == "success"
    assert api.get(f"/api/v1/payments/{payment['id']}").json() == done


def test_a_failed_challenge_fails_the_payment_and_the_payer_sees_no_detail(
    api: Api, flows: dict[str, Any]
) -> None:
    checkout = flows["checkout"]
    payment = flows["payments"]["public"]
    answer = _authenticate(checkout, payment["id"], {"token": _token(payment), "result": "failed"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["error_code"]) == ("failed", "PAYMENT_DECLINED")
    assert answer.json()["next_action"] is None
    failed = api.get(f"/api/v1/payments/{payment['id']}").json()
    assert (failed["status"], failed["error_code"]) == ("failed", "AUTHENTICATION_FAILED")
    assert failed["authentication"]["status"] == "failed"
    # the order takes another payment
    assert api.get(f"/api/v1/orders/{failed['order_id']}").json()["status"] == "attempted"


def test_the_frictionless_and_failed_authentication_cards(flows: dict[str, Any]) -> None:
    frictionless = flows["payments"]["frictionless"]
    assert frictionless["status"] == "success" and frictionless["next_action"] is None
    authentication = frictionless["authentication"]
    assert (authentication["status"], authentication["flow"], authentication["eci"]) == (
        "authenticated", "frictionless", "05"
    )  # fmt: skip
    fails = flows["payments"]["fails"]
    assert (fails["status"], fails["error_code"]) == ("failed", "AUTHENTICATION_FAILED")
    assert fails["authentication"]["status"] == "failed"
    assert fails["attempts"][-1]["provider_code"] == "payment_intent_authentication_failure"


def test_an_intent_requires_action_then_is_authorized_after_the_challenge(
    api: Api, flows: dict[str, Any]
) -> None:
    # Given an intent (manual capture) confirmed with a challenged card
    intent = flows["intent"]
    assert intent["status"] == "requires_action", intent
    action = intent["next_action"]
    assert action["type"] == "redirect_to_url" and action["redirect_to_url"]["url"].startswith(
        "/checkout/challenge"
    )
    payment = api.get(f"/api/v1/payments/{intent['latest_payment_id']}").json()
    assert payment["status"] == "requires_action" and payment["next_action"] == action
    # When the payer completes the challenge
    answer = _authenticate(
        flows["checkout"], payment["id"], {"token": _token(payment), "result": "authenticated"}
    )
    assert answer.status_code == 200, answer.text
    # Then the intent is authorized (manual capture) and its next_action gone
    after = api.get(f"/api/v1/payment_intents/{intent['id']}").json()
    assert (after["status"], after["amount_capturable"], after["next_action"]) == (
        "requires_capture",
        7_000,
        None,
    )
    captured = api.post(f"/api/v1/payment_intents/{intent['id']}/capture", {})
    assert captured.status_code == 200 and captured.json()["status"] == "succeeded", captured.text


def test_a_return_url_must_be_an_address_and_a_refused_one_writes_nothing(api: Api) -> None:
    order = api.order(5_000)
    for bad in ("ftp://example.com/back", "not a url", "/relative/path", "https://" + "a" * 2100):
        answer = api.post(
            "/api/v1/payments", {"order_id": order["id"], **card(CHALLENGED), "return_url": bad}
        )
        assert answer.status_code == 400, (bad, answer.text)
        assert error_of(answer)["field"] == "return_url"
    assert api.get(f"/api/v1/orders/{order['id']}").json()["attempts"] == 0


def test_no_card_number_in_any_log_line(captured_logs: Any, flows: dict[str, Any]) -> None:
    text = "\n".join(captured_logs.lines)
    assert not [pan for pan in PANS if pan in text]
