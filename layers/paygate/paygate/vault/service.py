"""The vault's API for other contexts (docs/vault.md): seal or store a card, reveal it at
authorization, forget its CVC, read its facts, update its expiry, destroy it.

Sealing and revealing run in the vault's own functions (``client``: Lambda Invoke of TokenizeCard and
RevealCard), the only holders of the vault key's KMS grants; the rest reads and writes clear attributes
of the vault table here, with no KMS at all. Other contexts see a card as a ``StoredCard`` only.
"""

from __future__ import annotations

from typing import Any

from paygate.connectors.base import Card
from paygate.core import dynamo
from paygate.core.errors import BadRequest, Conflict
from paygate.core.ids import has_prefix, new_id
from paygate.payments.models import CardIn
from paygate.vault import client, store
from paygate.vault.client import VaultUnavailable
from paygate.vault.envelope import CardUnreadable
from paygate.vault.models import CVC_SECONDS, TOKEN_PREFIX, SealedCard, StoredCard

__all__ = [
    "CVC_SECONDS",
    "TOKEN_PREFIX",
    "CardUnreadable",
    "SealedCard",
    "StoredCard",
    "VaultUnavailable",
    "card_facts",
    "destroy",
    "forget_cvc",
    "reveal",
    "seal_card",
    "store_card",
    "update_expiry",
]


def seal_card(card: CardIn, merchant_id: str, mode: str) -> SealedCard:
    """``card`` encrypted by TokenizeCard (one invoke); nothing is written. The token is made here, so a
    re-run of the same request (``ids.derived_ids``) seals under the same token."""
    event = {
        "card": {
            "number": card.number.get_secret_value(),
            "expiry_month": card.expiry_month,
            "expiry_year": card.expiry_year,
            "cvv": card.cvv.get_secret_value(),
            "holder_name": card.holder_name,
        },
        "merchant_id": merchant_id,
        "mode": mode,
        "token": new_id(TOKEN_PREFIX),
    }
    answer = client.call(client.TOKENIZE, event)
    try:
        stored = StoredCard(**answer["card"])
        items = [client.wire_load(item) for item in answer["items"]]
    except (KeyError, TypeError) as exc:
        raise VaultUnavailable("the vault's answer was not a sealed card") from exc
    return SealedCard(stored, store.put_ops(items))


def store_card(card: CardIn, merchant_id: str, mode: str) -> StoredCard:
    """Seal ``card`` and write its two items in one transaction: a card is never half-stored."""
    sealed = seal_card(card, merchant_id, mode)
    if dynamo.transact(sealed.writes) is not None:
        raise Conflict("the card could not be stored; retry the request")
    return sealed.card


def reveal(token: str, merchant_id: str, mode: str) -> Card | None:
    """The card behind ``token`` from RevealCard (one invoke), CVC included while it lives (else "").
    None for an unknown token or another merchant's or mode's card; ``CardUnreadable`` when a stored
    ciphertext, data key or key version was altered or moved; ``VaultUnavailable`` when the invoke failed."""
    if not has_prefix(token, TOKEN_PREFIX):
        return None
    answer = client.call(client.REVEAL, {"token": token, "merchant_id": merchant_id, "mode": mode})
    found = answer.get("card")
    if found is None:
        return None
    return Card(
        number=found["number"],
        exp_month=int(found["exp_month"]),
        exp_year=int(found["exp_year"]),
        cvc=found.get("cvc") or "",
        holder=found.get("holder"),
    )


def forget_cvc(token: str) -> None:
    """Delete the card's CVC (at the first authorization); idempotent; no KMS."""
    if has_prefix(token, TOKEN_PREFIX):
        store.delete_cvc(token)


def card_facts(token: str, merchant_id: str, mode: str) -> StoredCard | None:
    """The card's clear attributes (one consistent GetItem, no KMS); None unless ``merchant_id``'s in
    ``mode``."""
    item = _owned(token, merchant_id, mode)
    if item is None:
        return None
    return StoredCard(
        token=item["token"],
        network=item["network"],
        last4=item["last4"],
        expiry_month=int(item["expiry_month"]),
        expiry_year=int(item["expiry_year"]),
        fingerprint=item.get("fingerprint", ""),
    )


def update_expiry(token: str, merchant_id: str, mode: str, month: int, year: int) -> bool:
    """The card's expiry (clear attributes only: ``reveal`` reads them there); False unless the card is
    ``merchant_id``'s in ``mode``. ``BadRequest`` naming ``expiry_month`` / ``expiry_year``."""
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise BadRequest("expiry_month must be 1-12", "expiry_month")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise BadRequest("expiry_year must be 2000-2100", "expiry_year")
    if not has_prefix(token, TOKEN_PREFIX):
        return False
    return store.update_expiry(token, merchant_id, mode, month, year)


def destroy(token: str, merchant_id: str, mode: str) -> bool:
    """Delete the card (CARD and CVC items, one transaction conditioned on the owner): privacy erasure
    or a detached method. False unless the card exists and is ``merchant_id``'s in ``mode``."""
    if not has_prefix(token, TOKEN_PREFIX):
        return False
    return store.destroy(token, merchant_id, mode)


def _owned(token: str, merchant_id: str, mode: str) -> dict[str, Any] | None:
    if not has_prefix(token, TOKEN_PREFIX):
        return None
    item = store.card_item(token)
    if item is None or (item["merchant_id"], item["mode"]) != (merchant_id, mode):
        return None
    return item
