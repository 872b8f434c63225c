"""Key rings, fingerprints and the clear-attribute API of the vault on moto (docs/vault.md): first use
of a ring under a race creates one version 1; a fingerprint recognises a card within a merchant and mode
only; a tampered key version or ring key reveals nothing; card_facts, update_expiry and destroy are
owner-checked and use no KMS; the vault client's errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from paygate.payments.models import CardIn
from paygate.vault import client, keyring
from paygate.vault import service as vault
from paygate.vault.service import CardUnreadable, VaultUnavailable

from tests.unit.moto_world import tables_world, vault_key

PAN = "4242424242424242"
OTHER_PAN = "5555555555554444"
TABLE = "world-VaultTable"


def _card(number: str = PAN, **changes: Any) -> CardIn:
    fields = {
        "number": number,
        "expiry_month": 7,
        "expiry_year": 2031,
        "cvv": "123",
        "holder_name": "A Payer",
    }
    return CardIn.model_validate({**fields, **changes})


@pytest.fixture
def world() -> Iterator[None]:
    with tables_world({"VAULT_TABLE": "VaultTable"}), vault_key():
        keyring._cache.clear()
        yield


def _ring_items(merchant_id: str, mode: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]
    return [i for i in items if i["pk"]["S"] == f"KEYRING#{merchant_id}#{mode}"]


def _card_item(token: str) -> dict[str, Any]:
    key = {"pk": {"S": f"CARD#{token}"}, "sk": {"S": "CARD"}}
    return boto3.client("dynamodb").get_item(TableName=TABLE, Key=key)["Item"]


def test_two_first_uses_at_once_make_one_version_1_and_both_cards_reveal(world: None) -> None:
    # Given no key ring yet for the merchant, and two tokenizations racing to its first use
    barrier = threading.Barrier(2)
    stored: list[Any] = []
    real = keyring.store.ring_current

    def slow_read(merchant_id: str, mode: str) -> Any:
        found = real(merchant_id, mode)
        if found is None:
            barrier.wait(timeout=5)  # both threads have seen "no ring" before either creates it
        return found

    keyring.store.ring_current = slow_read  # type: ignore[assignment]
    try:
        threads = [
            threading.Thread(target=lambda: stored.append(vault.store_card(_card(), "mer_race", "test")))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    finally:
        keyring.store.ring_current = real  # type: ignore[assignment]
    # Then the ring has one CURRENT at version 1 and one V#1, and both cards reveal under it
    assert len(stored) == 2
    items = _ring_items("mer_race", "test")
    assert sorted(i["sk"]["S"] for i in items) == ["CURRENT", "V#000001"]
    keyring._cache.clear()  # the loser's own (never stored) key is not in play: KMS unwraps the winner's
    for card in stored:
        assert _card_item(card.token)["key_version"]["N"] == "1"
        revealed = vault.reveal(card.token, "mer_race", "test")
        assert revealed is not None and revealed.number == PAN
    assert stored[0].fingerprint == stored[1].fingerprint


def test_a_fingerprint_is_the_same_for_one_card_in_a_merchant_and_mode_only(world: None) -> None:
    first = vault.store_card(_card(), "mer_a", "test")
    second = vault.store_card(_card(expiry_month=9, holder_name="Another"), "mer_a", "test")
    other_card = vault.store_card(_card(OTHER_PAN), "mer_a", "test")
    other_merchant = vault.store_card(_card(), "mer_b", "test")
    other_mode = vault.store_card(_card(), "mer_a", "live")
    assert first.token != second.token and first.fingerprint == second.fingerprint
    assert len(first.fingerprint) == 32 and PAN not in first.fingerprint
    assert (
        len({first.fingerprint, other_card.fingerprint, other_merchant.fingerprint, other_mode.fingerprint})
        == 4
    )
    # stored in clear on the card item, and what card_facts answers
    assert _card_item(first.token)["fingerprint"]["S"] == first.fingerprint
    assert vault.card_facts(first.token, "mer_a", "test") == first


def test_a_tampered_key_version_or_ring_key_reveals_nothing(world: None) -> None:
    stored = vault.store_card(_card(), "mer_t", "test")
    dynamo = boto3.client("dynamodb")
    item = _card_item(stored.token)
    for version in ({"N": "2"}, {"N": "0"}, {"S": "1"}):
        dynamo.put_item(TableName=TABLE, Item={**item, "key_version": version})
        with pytest.raises(CardUnreadable) as refused:
            vault.reveal(stored.token, "mer_t", "test")
        assert PAN not in str(refused.value) and stored.token in str(refused.value)
    dynamo.put_item(TableName=TABLE, Item=item)
    assert vault.reveal(stored.token, "mer_t", "test") is not None
    # another merchant's version 1 key copied into this ring: KMS refuses it (its context names mer_u)
    vault.store_card(_card(), "mer_u", "test")
    keyring._cache.clear()
    theirs = dynamo.get_item(
        TableName=TABLE, Key={"pk": {"S": "KEYRING#mer_u#test"}, "sk": {"S": "V#000001"}}
    )["Item"]
    mine_key = {"pk": {"S": "KEYRING#mer_t#test"}, "sk": {"S": "V#000001"}}
    mine = dynamo.get_item(TableName=TABLE, Key=mine_key)["Item"]
    dynamo.put_item(TableName=TABLE, Item={**mine, "data_key": theirs["data_key"]})
    with pytest.raises(CardUnreadable):
        vault.reveal(stored.token, "mer_t", "test")


def test_facts_expiry_and_destroy_are_owner_checked_and_reveal_reads_the_new_expiry(world: None) -> None:
    stored = vault.store_card(_card(), "mer_f", "test")
    # another merchant, the other mode, an unknown or malformed token: nothing
    for merchant_id, mode in (("mer_g", "test"), ("mer_f", "live")):
        assert vault.card_facts(stored.token, merchant_id, mode) is None
        assert vault.update_expiry(stored.token, merchant_id, mode, 1, 2040) is False
        assert vault.destroy(stored.token, merchant_id, mode) is False
    assert vault.card_facts("card_00000000000000", "mer_f", "test") is None
    assert vault.update_expiry("card_x#CVC", "mer_f", "test", 1, 2040) is False
    assert vault.destroy("pay_00000000000000", "mer_f", "test") is False
    # bad expiry values: BadRequest naming the field, nothing written
    for month, year, field in (
        (13, 2040, "expiry_month"),
        (0, 2040, "expiry_month"),
        (1, 1999, "expiry_year"),
    ):
        with pytest.raises(Exception) as refused:
            vault.update_expiry(stored.token, "mer_f", "test", month, year)
        assert getattr(refused.value, "field", None) == field and refused.value.status == 400  # type: ignore[attr-defined]
    assert vault.card_facts(stored.token, "mer_f", "test") == stored
    # the owner updates the expiry: facts and reveal show it (clear attributes), the PAN is unchanged
    assert vault.update_expiry(stored.token, "mer_f", "test", 3, 2035) is True
    facts = vault.card_facts(stored.token, "mer_f", "test")
    assert facts is not None and (facts.expiry_month, facts.expiry_year) == (3, 2035)
    card = vault.reveal(stored.token, "mer_f", "test")
    assert card is not None and (card.number, card.exp_month, card.exp_year) == (PAN, 3, 2035)
    # destroy deletes both items; again: False
    assert vault.destroy(stored.token, "mer_f", "test") is True
    scanned = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert not [i for i in scanned if i["pk"]["S"] == f"CARD#{stored.token}"]
    assert vault.destroy(stored.token, "mer_f", "test") is False
    assert vault.reveal(stored.token, "mer_f", "test") is None


def test_facts_expiry_destroy_and_forget_cvc_use_no_kms(world: None) -> None:
    stored = vault.store_card(_card(), "mer_k", "test")
    previous = client.use_transport(None)  # no vault function either: these are table operations only
    kms = keyring.envelope.aws.client("kms")
    try:
        real_decrypt, real_generate = kms.decrypt, kms.generate_data_key
        kms.decrypt = kms.generate_data_key = lambda **_: pytest.fail("KMS called")  # type: ignore[method-assign]
        assert vault.card_facts(stored.token, "mer_k", "test") is not None
        assert vault.update_expiry(stored.token, "mer_k", "test", 2, 2033)
        vault.forget_cvc(stored.token)
        assert vault.destroy(stored.token, "mer_k", "test")
    finally:
        kms.decrypt, kms.generate_data_key = real_decrypt, real_generate  # type: ignore[method-assign]
        client.use_transport(previous)


def test_a_warm_vault_seals_and_reveals_without_kms(world: None) -> None:
    first = vault.store_card(_card(), "mer_w", "test")  # creates the ring: its keys are cached
    kms = keyring.envelope.aws.client("kms")
    real_decrypt, real_generate = kms.decrypt, kms.generate_data_key
    kms.decrypt = kms.generate_data_key = lambda **_: pytest.fail("KMS called")  # type: ignore[method-assign]
    try:
        second = vault.store_card(_card(OTHER_PAN), "mer_w", "test")
        assert vault.reveal(first.token, "mer_w", "test").number == PAN  # type: ignore[union-attr]
        assert vault.reveal(second.token, "mer_w", "test").number == OTHER_PAN  # type: ignore[union-attr]
    finally:
        kms.decrypt, kms.generate_data_key = real_decrypt, real_generate  # type: ignore[method-assign]


def test_the_client_raises_vault_unavailable_when_the_invoke_fails(world: None) -> None:
    previous = client.use_transport(None)  # production's path: Lambda Invoke (no function configured here)
    try:
        with pytest.raises(VaultUnavailable) as unavailable:
            vault.store_card(_card(), "mer_v", "test")
        assert unavailable.value.status == 503 and PAN not in str(unavailable.value)
        with pytest.raises(VaultUnavailable):
            vault.reveal("card_00000000000000", "mer_v", "test")
    finally:
        client.use_transport(previous)
