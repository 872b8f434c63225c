"""Vault key rotation on moto (docs/vault.md "Rotation"): every card re-encrypted under v2, then v3, and
still revealed; a run stopped or killed mid-way and run again finishes with counts that add up and no
card re-encrypted twice; writes during a run lose nothing; a scoped run touches its scope only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from paygate.core.errors import BadRequest
from paygate.payments.models import CardIn
from paygate.vault import keyring, rotation, store
from paygate.vault import service as vault

from tests.unit.moto_world import tables_world, vault_key

PANS = ("4242424242424242", "5555555555554444", "378282246310005")
OWNERS = (("mer_a", "test"), ("mer_a", "live"), ("mer_b", "test"))


def _card(number: str) -> CardIn:
    cvv = "1234" if number.startswith("3") else "123"
    return CardIn.model_validate(
        {"number": number, "expiry_month": 7, "expiry_year": 2031, "cvv": cvv, "holder_name": "A Payer"}
    )


@pytest.fixture
def world() -> Iterator[None]:
    with tables_world({"VAULT_TABLE": "VaultTable"}), vault_key():
        keyring._cache.clear()
        yield


def _cards(per_owner: int = 3) -> dict[str, tuple[str, str, str]]:
    """token -> (merchant, mode, PAN)."""
    stored = {}
    for merchant_id, mode in OWNERS:
        for i in range(per_owner):
            pan = PANS[i % len(PANS)]
            stored[vault.store_card(_card(pan), merchant_id, mode).token] = (merchant_id, mode, pan)
    return stored


def _versions(token: str) -> dict[str, int]:
    return {sk: int(item["key_version"]) for sk, item in store.items_of(token).items()}


def _all_reveal(cards: dict[str, tuple[str, str, str]]) -> None:
    keyring._cache.clear()  # from the table and KMS, not a warm cache
    for token, (merchant_id, mode, pan) in cards.items():
        card = vault.reveal(token, merchant_id, mode)
        assert card is not None and card.number == pan, token


def test_two_rotations_re_encrypt_every_card_under_v2_then_v3_and_every_card_still_reveals(
    world: None,
) -> None:
    cards = _cards()
    before = {t: store.card_item(t)["ciphertext"] for t in cards}  # type: ignore[index]
    first = rotation.rotate(page_items=4)
    assert first["done"] is True
    assert {
        k: first[k] for k in ("key_rings", "cards_scanned", "re_encrypted", "already_current", "failed")
    } == {
        "key_rings": 3,
        "cards_scanned": 9,
        "re_encrypted": 9,
        "already_current": 0,
        "failed": 0,
    }
    assert all(_versions(t) == {"CARD": 2, "CVC": 2} for t in cards)
    assert all(store.card_item(t)["ciphertext"] != before[t] for t in cards)  # type: ignore[index]
    _all_reveal(cards)
    for merchant_id, mode in OWNERS:  # the CVC too, re-encrypted (its 15 minutes are not over)
        token = next(t for t, owner in cards.items() if owner[:2] == (merchant_id, mode))
        assert vault.reveal(token, merchant_id, mode).cvc in ("123", "1234")  # type: ignore[union-attr]
    second = rotation.rotate()
    assert (second["done"], second["re_encrypted"], second["cards_scanned"]) == (True, 9, 9)
    assert second["run_id"] != first["run_id"]
    assert all(_versions(t) == {"CARD": 3, "CVC": 3} for t in cards)
    _all_reveal(cards)
    # every old version is kept (docs: what retires them), the ring's CURRENT at 3
    ring = store.ring_current("mer_a", "test")
    assert ring is not None and ring["key_version"] == 3
    for version in (1, 2, 3):
        assert store.ring_version("mer_a", "test", version) is not None
    # a new card after rotation is sealed under v3 and fingerprints as before (the fingerprint key stays)
    again = vault.store_card(_card(PANS[0]), "mer_a", "test")
    first_token = next(t for t, owner in cards.items() if owner == ("mer_a", "test", PANS[0]))
    assert _versions(again.token)["CARD"] == 3
    assert again.fingerprint == vault.card_facts(first_token, "mer_a", "test").fingerprint  # type: ignore[union-attr]


def test_a_run_out_of_time_or_killed_mid_page_finishes_when_run_again_and_nothing_is_rotated_twice(
    world: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    cards = _cards(4)
    done: list[str] = []
    real = store.reencrypt

    def counting(token: str, sk: str, old: dict[str, Any], sets: dict[str, Any]) -> bool:
        changed = real(token, sk, old, sets)
        if changed and sk == store.CARD:
            done.append(token)
        return changed

    monkeypatch.setattr(store, "reencrypt", counting)
    # Given a run whose time is up after its first page of cards
    pages = iter([True, True, False])  # bump, first page, then no more time
    stopped = rotation.rotate(page_items=5, has_time=lambda: next(pages))
    assert stopped["done"] is False and 0 < stopped["cards_scanned"] < 12
    # and a run of the same scope killed in the middle of a page (after two cards of it)
    real_card = rotation.rotate_card
    calls = {"n": 0}

    def dying(token: str, current: dict[str, Any]) -> str:
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("killed")
        return real_card(token, current)

    monkeypatch.setattr(rotation, "rotate_card", dying)
    with pytest.raises(SystemExit):
        rotation.rotate(page_items=5)
    monkeypatch.setattr(rotation, "rotate_card", real_card)
    # When it is run again
    finished = rotation.rotate(page_items=5)
    # Then the same run finished (one new version, not two), every card once re-encrypted, counts add up
    assert finished["done"] is True and finished["run_id"] == stopped["run_id"]
    assert finished["key_rings"] == 3
    assert sorted(done) == sorted(cards)  # each card's CARD item re-encrypted exactly once
    assert finished["re_encrypted"] + finished["already_current"] == finished["cards_scanned"]
    assert finished["cards_scanned"] >= 12 and finished["re_encrypted"] <= 12 and finished["failed"] == 0
    assert all(_versions(t) == {"CARD": 2, "CVC": 2} for t in cards)
    _all_reveal(cards)
    # and a run after a finished one starts the next version
    assert rotation.rotate()["re_encrypted"] == 12


def test_writes_during_a_run_lose_no_card(world: None, monkeypatch: pytest.MonkeyPatch) -> None:
    cards = _cards(2)
    real_page = store.scan_page
    written: dict[str, tuple[str, str, str]] = {}
    state = {"pages": 0}

    def page_with_writes(*args: Any, **kwargs: Any) -> Any:
        state["pages"] += 1
        if state["pages"] == 2:
            # a new card (sealed under the new version), an expiry update, a CVC forgotten, a card
            # destroyed, and another run's re-encryption of a card of a later page, all mid-run
            token = vault.store_card(_card(PANS[1]), "mer_b", "test").token
            written[token] = ("mer_b", "test", PANS[1])
            first, second, *_ = sorted(cards)
            vault.update_expiry(first, *cards[first][:2], 1, 2040)
            vault.forget_cvc(second)
            last = sorted(cards)[-1]
            owner = cards.pop(last)
            assert vault.destroy(last, *owner[:2])
            racer = sorted(cards)[-2]
            assert rotation.rotate_card(racer, keyring.ring(*cards[racer][:2])) == "re_encrypted"
        return real_page(*args, **kwargs)

    monkeypatch.setattr(store, "scan_page", page_with_writes)
    answer = rotation.rotate(page_items=2)
    assert answer["done"] is True and answer["failed"] == 0
    every = {**cards, **written}
    assert all(_versions(t)["CARD"] == 2 for t in every)
    _all_reveal(every)
    first = sorted(cards)[0]
    assert vault.reveal(first, *cards[first][:2]).exp_year == 2040  # type: ignore[union-attr]


def test_a_scoped_rotation_touches_its_merchant_and_mode_only(world: None) -> None:
    cards = _cards(2)
    answer = rotation.rotate("mer_a", "live")
    assert (answer["key_rings"], answer["cards_scanned"], answer["re_encrypted"]) == (1, 2, 2)
    for token, (merchant_id, mode, _) in cards.items():
        assert _versions(token)["CARD"] == (2 if (merchant_id, mode) == ("mer_a", "live") else 1)
    assert store.ring_current("mer_a", "test")["key_version"] == 1  # type: ignore[index]
    _all_reveal(cards)
    with pytest.raises(Exception) as refused:
        rotation.handle_rotate({"mode": "prod"}, lambda: 900_000)
    assert getattr(refused.value, "field", None) == "mode"


def test_the_vault_table_holds_no_pan_or_cvc_after_rotation(world: None) -> None:
    cards = _cards(3)
    rotation.rotate()
    items = boto3.client("dynamodb").scan(TableName="world-VaultTable")["Items"]
    text = str(items) + "".join(
        bytes(v["B"]).decode("latin-1") for i in items for v in i.values() if "B" in v
    )
    assert not [pan for _, _, pan in cards.values() if pan in text]


def test_running_a_finished_rotation_again_changes_nothing(world: None) -> None:
    cards = _cards()
    first = rotation.rotate(page_items=4)
    ciphertexts = {t: store.card_item(t)["ciphertext"] for t in cards}  # type: ignore[index]
    again = rotation.rotate(page_items=4, run_id=first["run_id"])
    assert again["again"] is True and again["done"] is True and again["run_id"] == first["run_id"]
    assert (again["cards_scanned"], again["already_current"], again["re_encrypted"]) == (9, 9, 0)
    assert {t: store.card_item(t)["ciphertext"] for t in cards} == ciphertexts  # type: ignore[index]
    assert store.ring_current("mer_a", "test")["key_version"] == 2  # type: ignore[index]
    _all_reveal(cards)
    with pytest.raises(BadRequest, match="not the last rotation run"):
        rotation.rotate(run_id="rot_00000000000000")
