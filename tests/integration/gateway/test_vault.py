"""The card vault behind the payment routes (docs/vault.md): a card payment, through the merchant API, the
checkout and an intent confirmation, succeeds through the vault's functions (Lambda Invoke of
TokenizeCard and RevealCard) and leaves its card sealed in the vault table and only its token on the
payment item; the answers show no token; the attempt functions' environment reveals the card, for its
own merchant and mode only; a refused confirmation stores no card; ``paygate vault rotate`` rotates
twice and the old tokens still reveal and new card payments still succeed."""

from __future__ import annotations

import json
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


def test_a_card_payment_succeeds_end_to_end_and_the_vault_holds_no_pan_or_cvv_in_clear(
    gateway: LocalCloud, api: Api, card_answers: dict[str, dict[str, Any]]
) -> None:
    settled = api.settled(f"/api/v1/payments/{card_answers['api']['id']}")
    assert settled["status"] == "success", settled
    items = _vault_items(gateway)
    text = str(items) + "".join(
        bytes(v["B"]).decode("latin-1") for i in items for v in i.values() if "B" in v
    )
    assert PAN not in text and PAN[:6] + PAN[6:12] not in text
    # the cards carry their key version and fingerprint in clear; the key ring its wrapped keys only
    cards = [i for i in items if i["sk"]["S"] == "CARD"]
    assert cards and all("key_version" in i and len(i["fingerprint"]["S"]) == 32 for i in cards)
    # one card number, one fingerprint: the three payments of this module (other modules' cards differ)
    paid = [
        card_answers["api"]["id"],
        card_answers["checkout"]["id"],
        card_answers["intent"]["latest_payment_id"],
    ]
    tokens = {_payment_item(gateway, payment_id)["card_token"]["S"] for payment_id in paid}
    assert len({i["fingerprint"]["S"] for i in cards if i["token"]["S"] in tokens}) == 1
    assert any(i["pk"]["S"].startswith("KEYRING#") and i["sk"]["S"] == "CURRENT" for i in items)


def test_paygate_vault_rotate_twice_keeps_old_tokens_working(
    gateway: LocalCloud, api: Api, card_answers: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    from paygate_cli.main import main

    old = {_payment_item(gateway, card_answers["api"]["id"])["card_token"]["S"]}
    merchant_id = _payment_item(gateway, card_answers["api"]["id"])["merchant_id"]["S"]
    versions = []
    for _ in range(2):
        # When the operator rotates (the CLI invokes RotateVaultKeys in localcloud's process)
        assert main(["vault", "rotate", "--stack", "paygate", "--region", gateway.region]) == 0
        counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert counts["done"] is True and counts["failed"] == 0 and counts["key_rings"] >= 1
        assert counts["re_encrypted"] + counts["already_current"] == counts["cards_scanned"] >= 3
        ring = next(
            i
            for i in _vault_items(gateway)
            if i["pk"]["S"] == f"KEYRING#{merchant_id}#test" and i["sk"]["S"] == "CURRENT"
        )
        versions.append(int(ring["key_version"]["N"]))
        # Then every card of the vault is under the current version, and the old token still reveals
        for item in _vault_items(gateway):
            if (
                item["sk"]["S"] == "CARD"
                and item["merchant_id"]["S"] == merchant_id
                and item["mode"]["S"] == "test"
            ):
                assert int(item["key_version"]["N"]) == versions[-1]
        for token in old:
            revealed = _revealed(gateway, token, merchant_id, "test")
            assert revealed is not None and revealed.number == PAN
    assert versions[1] == versions[0] + 1
    # and a new card payment still succeeds end to end
    paid = api.paid(3_000, card(PAN))
    assert paid["status"] == "success", paid


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
