"""The card vault on moto (its table from the template, moto's KMS with encryption contexts): a card
round-trips, nothing stored holds its PAN or CVC, a ciphertext moved or altered reveals nothing, the CVC
expires, and a card payment keeps only the token (docs/vault.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paygate.core import clock
from paygate.payments import methods
from paygate.payments.models import CardIn
from paygate.vault import service as vault
from paygate.vault.service import CardUnreadable

from tests.unit.moto_world import tables_world, vault_key
from tests.unit.payments_world import MERCHANT

PAN = "4242424242424242"
CVC = "9731"


def _card(number: str = PAN, cvv: str = CVC, **changes: Any) -> CardIn:
    fields = {"number": number, "expiry_month": 7, "expiry_year": 2031, "cvv": cvv, "holder_name": "A Payer"}
    return CardIn.model_validate({**fields, **changes})


@pytest.fixture(scope="module")
def world() -> Iterator[None]:
    """One vault for the module (each test works on cards of its own)."""
    with tables_world({"VAULT_TABLE": "VaultTable"}), vault_key():
        yield


def _raw_items(token: str | None = None) -> list[dict[str, Any]]:
    """The items of the vault table (of one card's token) as DynamoDB holds them (binary as bytes)."""
    items = boto3.client("dynamodb").scan(TableName="world-VaultTable")["Items"]
    return [i for i in items if token is None or i["pk"]["S"] == f"CARD#{token}"]


def _as_text(items: list[dict[str, Any]]) -> str:
    """Each attribute as text, binary ones byte for byte (latin-1), to search for digits in clear."""
    parts = []
    for item in items:
        for name, value in item.items():
            (kind, raw), *_ = value.items()
            parts.append(f"{name}={bytes(raw).decode('latin-1') if kind == 'B' else raw}")
    return "\n".join(parts)


def _patch(token: str, sk: str, **attributes: Any) -> None:
    """Overwrite attributes of one of a card's stored items (what an attacker with table access does)."""
    client = boto3.client("dynamodb")
    key = {"pk": {"S": f"CARD#{token}"}, "sk": {"S": sk}}
    item = client.get_item(TableName="world-VaultTable", Key=key)["Item"]
    client.put_item(TableName="world-VaultTable", Item={**item, **attributes})


def _flip(value: dict[str, Any], at: int) -> dict[str, Any]:
    raw = bytearray(value["B"])
    raw[at] ^= 0x01
    return {"B": bytes(raw)}


def test_a_card_round_trips_and_no_stored_attribute_holds_its_pan_or_cvc(world: None) -> None:
    # Given a card stored for a merchant's test mode
    stored = vault.store_card(_card(), MERCHANT.merchant_id, "test")
    # Then what is shown elsewhere is token, network, last4 and expiry only
    assert stored.token.startswith("card_") and (stored.network, stored.last4) == ("visa", "4242")
    assert (stored.expiry_month, stored.expiry_year) == (7, 2031)
    # and reveal gives the card back, CVC included (within its 15 minutes)
    card = vault.reveal(stored.token, MERCHANT.merchant_id, "test")
    assert card is not None
    assert (card.number, card.exp_month, card.exp_year, card.cvc, card.holder) == (
        PAN,
        7,
        2031,
        CVC,
        "A Payer",
    )
    assert PAN not in repr(card) and CVC not in repr(card) and PAN not in repr(stored)
    # and both items (card and CVC) hold neither the PAN nor the CVC in any attribute, text or binary
    items = _raw_items(stored.token)
    assert sorted(i["sk"]["S"] for i in items) == ["CARD", "CVC"]
    text = _as_text(items)
    assert PAN not in text and CVC not in text and PAN[:6] + PAN[6:12] not in text
    assert '"cvv"' not in text and "cvc=" not in text.lower()
    # and the CVC item expires 15 minutes on (TTL), the card item does not
    cvc_item = next(i for i in items if i["sk"]["S"] == "CVC")
    assert 0 < int(cvc_item["expires_at"]["N"]) - clock.now().timestamp() <= vault.CVC_SECONDS


def test_another_merchant_mode_or_token_reveals_nothing(world: None) -> None:
    stored = vault.store_card(_card(), MERCHANT.merchant_id, "test")
    # another merchant, the other mode, an unknown or malformed token: as if there were no card
    assert vault.reveal(stored.token, "mer_other", "test") is None
    assert vault.reveal(stored.token, MERCHANT.merchant_id, "live") is None
    assert vault.reveal("card_00000000000000", MERCHANT.merchant_id, "test") is None
    assert vault.reveal("pay_" + stored.token[5:], MERCHANT.merchant_id, "test") is None
    assert vault.reveal("card_x#CVC", MERCHANT.merchant_id, "test") is None


def test_a_ciphertext_or_data_key_moved_to_another_card_or_owner_does_not_reveal(world: None) -> None:
    # Given two cards of one merchant and one of another merchant's live mode
    first = vault.store_card(_card(), MERCHANT.merchant_id, "test")
    second = vault.store_card(_card("5555555555554444", "321"), MERCHANT.merchant_id, "test")
    third = vault.store_card(_card("378282246310005", "4321"), "mer_other", "live")
    client = boto3.client("dynamodb")

    def stored(token: str, sk: str) -> dict[str, Any]:
        key = {"pk": {"S": f"CARD#{token}"}, "sk": {"S": sk}}
        return client.get_item(TableName="world-VaultTable", Key=key)["Item"]

    moved = {name: stored(first.token, "CARD")[name] for name in ("key_version", "nonce", "ciphertext")}
    # When the first card's sealed PAN with its key version is copied onto the second card
    _patch(second.token, "CARD", **moved)
    # Then its tag fails (the associated data names the token): nothing is revealed
    with pytest.raises(CardUnreadable) as refused:
        vault.reveal(second.token, MERCHANT.merchant_id, "test")
    assert PAN not in str(refused.value) and second.token in str(refused.value)
    # and the same onto another merchant's (and mode's) card
    _patch(third.token, "CARD", **moved)
    with pytest.raises(CardUnreadable):
        vault.reveal(third.token, "mer_other", "live")
    # When a card item is re-labelled as another merchant's (its owner attributes changed)
    _patch(first.token, "CARD", merchant_id={"S": "mer_other"}, mode={"S": "live"})
    # Then the new "owner" gets nothing either (its own key ring's key, the associated data)
    with pytest.raises(CardUnreadable):
        vault.reveal(first.token, "mer_other", "live")
    # When only the sealed PAN (not its data key) is swapped between two cards
    fourth = vault.store_card(_card(), MERCHANT.merchant_id, "test")
    fifth = vault.store_card(_card(), MERCHANT.merchant_id, "test")
    sealed = stored(fourth.token, "CARD")
    _patch(fifth.token, "CARD", nonce=sealed["nonce"], ciphertext=sealed["ciphertext"])
    with pytest.raises(CardUnreadable):
        vault.reveal(fifth.token, MERCHANT.merchant_id, "test")
    # and a CVC moved from one card to another fails its tag (another data key, another token)
    cvc = stored(fourth.token, "CVC")
    sixth = vault.store_card(_card(), MERCHANT.merchant_id, "test")
    _patch(sixth.token, "CVC", nonce=cvc["nonce"], ciphertext=cvc["ciphertext"])
    with pytest.raises(CardUnreadable):
        vault.reveal(sixth.token, MERCHANT.merchant_id, "test")
    # while an untouched card still reveals
    assert vault.reveal(fourth.token, MERCHANT.merchant_id, "test") is not None


@pytest.mark.parametrize(("sk", "attribute", "at"), [("CARD", "ciphertext", 0), ("CARD", "ciphertext", -1),
                                                     ("CARD", "nonce", 3),
                                                     ("CVC", "ciphertext", 1)])  # fmt: skip
def test_one_altered_byte_reveals_nothing_and_says_so_without_card_data(
    world: None, sk: str, attribute: str, at: int
) -> None:
    stored = vault.store_card(_card(), MERCHANT.merchant_id, "test")
    item = next(i for i in _raw_items(stored.token) if i["sk"]["S"] == sk)
    _patch(stored.token, sk, **{attribute: _flip(item[attribute], at)})
    with pytest.raises(CardUnreadable) as refused:
        vault.reveal(stored.token, MERCHANT.merchant_id, "test")
    message = f"{refused.value!s} {refused.value!r} {refused.value.__cause__!r} {refused.value.__context__!r}"
    assert PAN not in message and CVC not in message and refused.value.code == "CARD_UNREADABLE"


def test_the_cvc_expires_after_15_minutes_and_forget_cvc_removes_it(world: None) -> None:
    stored = vault.store_card(_card(), MERCHANT.merchant_id, "test")
    start = clock.now()
    try:
        # 15 minutes on, DynamoDB's TTL may not have run yet: the vault checks the time itself
        clock.set_clock(lambda: start + timedelta(seconds=vault.CVC_SECONDS, milliseconds=1))
        late = vault.reveal(stored.token, MERCHANT.merchant_id, "test")
        assert late is not None and late.cvc == "" and late.number == PAN
        clock.set_clock(lambda: start + timedelta(seconds=vault.CVC_SECONDS - 2))
        assert vault.reveal(stored.token, MERCHANT.merchant_id, "test").cvc == CVC  # type: ignore[union-attr]
    finally:
        clock.set_clock(None)
    # forget_cvc (at the first authorization) deletes the CVC item; again is harmless
    vault.forget_cvc(stored.token)
    vault.forget_cvc(stored.token)
    assert [i["sk"]["S"] for i in _raw_items(stored.token)] == ["CARD"]
    card = vault.reveal(stored.token, MERCHANT.merchant_id, "test")
    assert card is not None and card.cvc == "" and card.number == PAN


_NETWORK_PREFIXES = {"visa": ("4", 16), "mastercard": ("52", 16), "amex": ("37", 15), "rupay": ("607", 16)}


@st.composite
def _valid_pans(draw: st.DrawFn) -> str:
    prefix, length = _NETWORK_PREFIXES[draw(st.sampled_from(sorted(_NETWORK_PREFIXES)))]
    digits = length - len(prefix) - 1  # the last one is Luhn's check digit
    body = prefix + draw(st.text("0123456789", min_size=digits, max_size=digits))
    check = next(d for d in "0123456789" if methods.luhn_ok(body + d))
    return body + check


def test_any_valid_card_round_trips(world: None) -> None:
    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(
        pan=_valid_pans(),
        cvc=st.text("0123456789", min_size=3, max_size=4),
        month=st.integers(1, 12),
        year=st.integers(2031, 2100),
        holder=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=100),
        mode=st.sampled_from(["test", "live"]),
    )
    def run(pan: str, cvc: str, month: int, year: int, holder: str, mode: str) -> None:
        given = _card(pan, cvc, expiry_month=month, expiry_year=year, holder_name=holder)
        stored = vault.store_card(given, "mer_prop", mode)
        assert (stored.last4, stored.network) == (pan[-4:], methods.card_network(pan))
        card = vault.reveal(stored.token, "mer_prop", mode)
        assert card is not None
        assert (card.number, card.cvc, card.exp_month, card.exp_year, card.holder) == (
            pan,
            cvc,
            month,
            year,
            holder,
        )

    run()
