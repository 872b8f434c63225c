"""The vault's API: store a card, reveal it at authorization, forget its CVC (docs/vault.md).

Other contexts see a card only as a ``StoredCard`` (token, network, last4, expiry). ``reveal`` is for
the functions that authorize (their IAM role alone holds ``kms:Decrypt`` on the vault's key).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from paygate.connectors.base import Card
from paygate.core import clock, dynamo
from paygate.core.errors import Conflict
from paygate.core.ids import has_prefix, new_id
from paygate.core.settings import VaultEnv
from paygate.payments import methods
from paygate.payments.models import CardIn
from paygate.vault import envelope, store
from paygate.vault.envelope import CardUnreadable

CVC_SECONDS = 15 * 60  # PCI DSS: sensitive authentication data only until authorization; at most this
TOKEN_PREFIX = "card"  # noqa: S105 - an id prefix (card_...), not a secret

__all__ = ["CardUnreadable", "SealedCard", "StoredCard", "forget_cvc", "reveal", "seal_card", "store_card"]


@dataclass(frozen=True)
class StoredCard:
    """What may be shown or stored elsewhere: no PAN, no CVC."""

    token: str
    network: str
    last4: str
    expiry_month: int
    expiry_year: int


@dataclass(frozen=True)
class SealedCard:
    """A card encrypted and not yet written: ``writes`` are the TransactWriteItems Puts of its two items,
    for a caller that commits them with its own writes (a payment and its card, or nothing)."""

    card: StoredCard
    writes: list[dict[str, Any]] = field(repr=False)


def seal_card(card: CardIn, merchant_id: str, mode: str) -> SealedCard:
    """Encrypt ``card`` under a fresh data key (one KMS GenerateDataKey); nothing is written."""
    number = card.number.get_secret_value()
    stored = StoredCard(
        token=new_id(TOKEN_PREFIX),
        network=methods.card_network(number) or "unknown",
        last4=number[-4:],
        expiry_month=card.expiry_month,
        expiry_year=card.expiry_year,
    )
    owner = (stored.token, merchant_id, mode)
    key = envelope.new_data_key(VaultEnv.load().vault_key_id, *owner)
    secret = {
        "number": number,
        "exp_month": card.expiry_month,
        "exp_year": card.expiry_year,
        "holder": card.holder_name,
    }
    card_nonce, card_text = envelope.seal(
        key.plaintext, json.dumps(secret).encode(), envelope.associated_data(store.CARD, *owner)
    )
    cvc_nonce, cvc_text = envelope.seal(
        key.plaintext, card.cvv.get_secret_value().encode(), envelope.associated_data(store.CVC, *owner)
    )
    common = {"pk": store.partition(stored.token), "merchant_id": merchant_id, "mode": mode}
    created = clock.now()
    card_item = {
        **common,
        "sk": store.CARD,
        "token": stored.token,
        "network": stored.network,
        "last4": stored.last4,
        "expiry_month": stored.expiry_month,
        "expiry_year": stored.expiry_year,
        "scheme": envelope.SCHEME,
        "key_id": key.key_id,
        "data_key": key.wrapped,
        "nonce": card_nonce,
        "ciphertext": card_text,
        "created_at": clock.iso_now(),
    }
    cvc_item = {
        **common,
        "sk": store.CVC,
        "scheme": envelope.SCHEME,
        "nonce": cvc_nonce,
        "ciphertext": cvc_text,
        "expires_at": int(created.timestamp()) + CVC_SECONDS,
    }
    return SealedCard(stored, store.put_ops([card_item, cvc_item]))


def store_card(card: CardIn, merchant_id: str, mode: str) -> StoredCard:
    """Seal ``card`` and write its two items in one transaction: a card is never half-stored."""
    sealed = seal_card(card, merchant_id, mode)
    if dynamo.transact(sealed.writes) is not None:
        raise Conflict("the card could not be stored; retry the request")
    return sealed.card


def reveal(token: str, merchant_id: str, mode: str) -> Card | None:
    """The card behind ``token`` (one query, one KMS Decrypt); ``cvc`` is "" once the CVC item is gone
    or past its ``expires_at``. None for an unknown token or another merchant's or mode's card.
    ``CardUnreadable`` when a stored ciphertext or data key was altered or moved."""
    if not has_prefix(token, TOKEN_PREFIX):
        return None
    items = store.items_of(token)
    sealed = items.get(store.CARD)
    if sealed is None or (sealed["merchant_id"], sealed["mode"]) != (merchant_id, mode):
        return None
    owner = (token, merchant_id, mode)
    key = envelope.open_data_key(_bytes(sealed["data_key"]), sealed["key_id"], *owner)
    secret = json.loads(_open(key, sealed, store.CARD, owner))
    cvc = ""
    held = items.get(store.CVC)
    if held is not None and clock.now().timestamp() < held["expires_at"]:
        cvc = _open(key, held, store.CVC, owner).decode()
    return Card(
        number=secret["number"],
        exp_month=secret["exp_month"],
        exp_year=secret["exp_year"],
        cvc=cvc,
        holder=secret.get("holder"),
    )


def forget_cvc(token: str) -> None:
    """Delete the card's CVC (at the first authorization); idempotent."""
    if has_prefix(token, TOKEN_PREFIX):
        store.delete_cvc(token)


def _open(key: bytes, item: dict[str, Any], purpose: str, owner: tuple[str, str, str]) -> bytes:
    aad = envelope.associated_data(purpose, *owner)
    return envelope.unseal(key, _bytes(item["nonce"]), _bytes(item["ciphertext"]), aad, owner[0])


def _bytes(value: Any) -> bytes:
    """A stored binary as bytes (boto3 reads it as ``Binary``)."""
    return bytes(getattr(value, "value", value))
