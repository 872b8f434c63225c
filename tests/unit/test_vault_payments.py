"""A card payment through the payments services keeps only its vault token, and a refused one stores
no card (moto: the payments world with the vault's table and key). The IAM: test_vault_iam.py."""

from __future__ import annotations

import boto3
import pytest
from paygate.core import dynamo
from paygate.core.errors import InvalidState
from paygate.payments import intents, service, store
from paygate.payments.models import IntentIn, MethodIn, OrderIn, Payment, PaymentIn, PublicPayment
from paygate.vault import service as vault

from tests.unit.payments_world import MERCHANT, payments_world

PAN = "4242424242424242"
CVC = "9731"


def _vault_count() -> int:
    """The vault's card items (its key rings' items aside)."""
    items = boto3.client("dynamodb").scan(TableName="world-VaultTable")["Items"]
    return len([i for i in items if i["pk"]["S"].startswith("CARD#")])


def test_a_card_payment_keeps_only_the_vault_token_and_a_refused_one_stores_no_card() -> None:
    with payments_world():
        # Given a card payment on an order and one confirming an intent
        order = service.create_order(MERCHANT, OrderIn(amount=5_000))
        card_in = {
            "number": PAN,
            "expiry_month": 7,
            "expiry_year": 2031,
            "cvv": CVC,
            "holder_name": "A Payer",
        }
        details = {"method": "card", "card": card_in}
        paid = service.create_payment(MERCHANT, PaymentIn(order_id=order.id, **details))
        intent = intents.create_intent(MERCHANT, IntentIn(amount=7_000))
        intents.confirm_intent(MERCHANT, intent.id, MethodIn(**details))
        confirmed = store.get(store.get(intent.id)["latest_payment_id"])
        # Then each payment item holds the card's token and no PAN; the answers show no token
        for item in (store.get(paid.id), confirmed):
            assert item["card_token"].startswith("card_") and PAN not in str(item) and CVC not in str(item)
            card = vault.reveal(item["card_token"], MERCHANT.merchant_id, "test")
            assert card is not None and (card.number, card.cvc) == (PAN, CVC)
            for model in (Payment, PublicPayment):
                assert "card_token" not in model.model_validate(item).model_dump_json()
        assert _vault_count() == 4
        # When requests are refused (the order is closed by a first paid payment; the intent is processing)
        dynamo.update(store.change(order.id, sets={"status": "paid"}, condition="attribute_exists(pk)"))
        with pytest.raises(InvalidState):
            service.create_payment(MERCHANT, PaymentIn(order_id=order.id, **details))
        with pytest.raises(InvalidState):
            intents.confirm_intent(MERCHANT, intent.id, MethodIn(**details))
        # Then no card was stored for them; a UPI payment stores none either
        upi_order = service.create_order(MERCHANT, OrderIn(amount=5_000))
        upi = service.create_payment(MERCHANT, PaymentIn(order_id=upi_order.id, method="upi", vpa="a@okaxis"))
        assert "card_token" not in store.get(upi.id)
        assert _vault_count() == 4
