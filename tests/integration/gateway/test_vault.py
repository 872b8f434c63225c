"""The card vault behind the payment routes (docs/vault.md): a card payment, through the merchant API, the
checkout and an intent confirmation, leaves its card sealed in the vault table and only its token on the
payment item; the answers show no token; the attempt functions' environment reveals the card, for its
own merchant and mode only; a refused confirmation stores no card."""

from __future__ import annotations

import os
from typing import Any

import boto3
import pytest
from localcloud import environ
from localcloud.lambdas import CREDENTIALS
from localcloud.runtime import LocalCloud
from paygate.vault import service as vault

from tests.integration.gateway.client import Api, card

PAN = "5555555555554444"


def _vault_items(gateway: LocalCloud) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb", region_name=gateway.region)
    return client.scan(TableName=gateway.physical("Vault/VaultTable"))["Items"]


def _payment_item(gateway: LocalCloud, payment_id: str) -> dict[str, Any]:
    client = boto3.client("dynamodb", region_name=gateway.region)
    key = {"pk": {"S": payment_id}, "sk": {"S": "OBJ"}}
    return client.get_item(TableName=gateway.physical("Payments/PaymentsTable"), Key=key)["Item"]


def _revealed(gateway: LocalCloud, token: str, merchant_id: str, mode: str) -> Any:
    """``vault.reveal`` run with AttemptPayment's own environment (its table and key variables)."""
    spec = gateway.deployed.functions.get(gateway.physical("Payments/AttemptPayment")).spec
    variables = {
        **dict(os.environ),
        **CREDENTIALS,
        "AWS_DEFAULT_REGION": gateway.region,
        "AWS_REGION": gateway.region,
        "AWS_LAMBDA_LOG_STREAM_NAME": "test_vault/reveal",
        **spec.environment,
    }
    with environ.invocation(variables):
        return vault.reveal(token, merchant_id, mode)


@pytest.fixture(scope="module")
def card_answers(api: Api, gateway: LocalCloud) -> dict[str, dict[str, Any]]:
    """One card payment each way: the merchant API, the public checkout, an intent confirmation."""
    order = api.order()
    by_api = api.created("/api/v1/payments", {"order_id": order["id"], **card(PAN, cvv="987")})
    checkout = Api(gateway.url)
    public_order = api.order()
    by_checkout = checkout.post("/api/v1/payments/public", {"order_id": public_order["id"], **card(PAN)})
    assert by_checkout.status_code == 201, by_checkout.text
    intent = api.created("/api/v1/payment_intents", {"amount": 4_000, "currency": "INR"})
    confirmed = api.post(f"/api/v1/payment_intents/{intent['id']}/confirm", card(PAN))
    assert confirmed.status_code == 200, confirmed.text
    return {"api": by_api, "checkout": by_checkout.json(), "intent": confirmed.json()}


def test_a_card_payment_keeps_only_a_vault_token_which_reveals_the_card_to_its_owner_only(
    gateway: LocalCloud, api: Api, card_answers: dict[str, dict[str, Any]]
) -> None:
    payment_ids = [card_answers["api"]["id"], card_answers["checkout"]["id"]]
    payment_ids.append(card_answers["intent"]["latest_payment_id"])
    # the answers show no token and no card number
    for answer in card_answers.values():
        assert "card_token" not in str(answer) and PAN not in str(answer)
    assert api.get(f"/api/v1/payments/{payment_ids[0]}").json()["card"]["last4"] == "4444"
    assert "card_token" not in api.get(f"/api/v1/payments/{payment_ids[0]}").text
    tokens = set()
    for payment_id in payment_ids:
        # Then the payment item holds the token and no PAN
        item = _payment_item(gateway, payment_id)
        token = item["card_token"]["S"]
        assert token.startswith("card_") and PAN not in str(item)
        tokens.add(token)
        merchant_id = item["merchant_id"]["S"]
        # and the vault holds the card's two items (the sealed card, the CVC for 15 minutes)
        # (the CVC item goes at the first authorization, which may have run by now)
        mine = [i for i in _vault_items(gateway) if i["pk"]["S"] == f"CARD#{token}"]
        assert "CARD" in {i["sk"]["S"] for i in mine} <= {"CARD", "CVC"}
        assert PAN not in str(mine) and "987" not in str([i["sk"] for i in mine])
        # and the attempt functions' environment reveals it, to its own merchant and mode only
        revealed = _revealed(gateway, token, merchant_id, "test")
        assert revealed is not None and (revealed.number, revealed.exp_month, revealed.exp_year) == (
            PAN,
            12,
            2031,
        )
        assert revealed.cvc in ("987" if payment_id == payment_ids[0] else "123", "")
        assert _revealed(gateway, token, merchant_id, "live") is None
        assert _revealed(gateway, token, "mer_00000000000000", "test") is None
    assert len(tokens) == 3


def test_a_refused_card_confirmation_stores_no_card(
    gateway: LocalCloud, api: Api, card_answers: dict[str, dict[str, Any]]
) -> None:
    before = len(_vault_items(gateway))
    # the intent is processing: a second confirmation (another Idempotency-Key) is refused
    intent_id = card_answers["intent"]["id"]
    refused = api.post(f"/api/v1/payment_intents/{intent_id}/confirm", card(PAN))
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "INVALID_STATE", refused.text
    # and so is a card payment on another merchant's order id (404), and a bad card (400, its field)
    assert api.post("/api/v1/payments", {"order_id": "order_00000000000000", **card(PAN)}).status_code == 404
    bad = api.post("/api/v1/payments", {"order_id": api.order()["id"], **card("5555555555554445")})
    assert bad.status_code == 400 and "number" in bad.json()["error"].get("field", ""), bad.text
    assert len(_vault_items(gateway)) == before
