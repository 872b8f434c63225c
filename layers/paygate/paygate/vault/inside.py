"""What runs inside the vault's own functions (TokenizeCard, RevealCard): the only code that unwraps
data keys. Other contexts reach it through ``paygate.vault.client`` (Lambda Invoke), never by import.

Events and answers are JSON; a sealed item's binary attributes travel as ``{"B64": "..."}`` (``wire``).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from paygate.connectors.base import Card
from paygate.core import clock
from paygate.core.errors import BadRequest
from paygate.core.ids import has_prefix, new_id
from paygate.payments import methods
from paygate.payments.models import CardIn
from paygate.vault import envelope, keyring, store
from paygate.vault.client import wire_dump
from paygate.vault.models import CVC_SECONDS, TOKEN_PREFIX, StoredCard

MODES = ("test", "live")


def tokenize(
    card: CardIn, merchant_id: str, mode: str, token: str | None = None
) -> tuple[StoredCard, list[dict[str, Any]]]:
    """``card`` sealed under its merchant's and mode's current key version: the card's facts and its two
    items (ciphertext only), not written. Warm, no KMS request (the ring's keys are cached)."""
    _owner_ok(merchant_id, mode)
    token = token or new_id(TOKEN_PREFIX)
    if not has_prefix(token, TOKEN_PREFIX):
        raise BadRequest("token must be a card token (card_...)", "token")
    number = card.number.get_secret_value()
    current = keyring.ring(merchant_id, mode)
    key = keyring.current_key(current, token)
    stored = StoredCard(
        token=token,
        network=methods.card_network(number) or "unknown",
        last4=number[-4:],
        expiry_month=card.expiry_month,
        expiry_year=card.expiry_year,
        fingerprint=keyring.fingerprint(current, number),
    )
    owner = (token, merchant_id, mode)
    secret = json.dumps({"number": number, "holder": card.holder_name}).encode()
    card_nonce, card_text = envelope.seal(
        key.plaintext, secret, envelope.associated_data(store.CARD, *owner, key.version)
    )
    cvc = card.cvv.get_secret_value().encode()
    cvc_nonce, cvc_text = envelope.seal(
        key.plaintext, cvc, envelope.associated_data(store.CVC, *owner, key.version)
    )
    common = {
        "pk": store.partition(token),
        "merchant_id": merchant_id,
        "mode": mode,
        "scheme": envelope.SCHEME,
        "key_id": key.key_id,
        "key_version": key.version,
    }
    card_item = {
        **common,
        "sk": store.CARD,
        "token": token,
        "network": stored.network,
        "last4": stored.last4,
        "expiry_month": stored.expiry_month,
        "expiry_year": stored.expiry_year,
        "fingerprint": stored.fingerprint,
        "nonce": card_nonce,
        "ciphertext": card_text,
        "created_at": clock.iso_now(),
    }
    cvc_item = {
        **common,
        "sk": store.CVC,
        "nonce": cvc_nonce,
        "ciphertext": cvc_text,
        "expires_at": int(clock.now().timestamp()) + CVC_SECONDS,
    }
    return stored, [card_item, cvc_item]


def reveal(token: str, merchant_id: str, mode: str) -> Card | None:
    """The card behind ``token`` (one query; warm, no KMS request); ``cvc`` is "" once the CVC item is
    gone or past its ``expires_at``; expiry from the CARD item's clear attributes (what update_expiry
    changes). None for an unknown token or another merchant's or mode's card. ``CardUnreadable`` when a
    ciphertext, data key or key version was altered or moved."""
    if not has_prefix(token, TOKEN_PREFIX):
        return None
    items = store.items_of(token)
    sealed = items.get(store.CARD)
    if sealed is None or (sealed["merchant_id"], sealed["mode"]) != (merchant_id, mode):
        return None
    secret = json.loads(open_item(sealed, store.CARD, token, merchant_id, mode))
    cvc = ""
    held = items.get(store.CVC)
    if held is not None and clock.now().timestamp() < held["expires_at"]:
        cvc = open_item(held, store.CVC, token, merchant_id, mode).decode()
    return Card(
        number=secret["number"],
        exp_month=int(sealed["expiry_month"]),
        exp_year=int(sealed["expiry_year"]),
        cvc=cvc,
        holder=secret.get("holder"),
    )


def open_item(item: dict[str, Any], purpose: str, token: str, merchant_id: str, mode: str) -> bytes:
    """The plaintext of one sealed item, under its own key version (scheme 2) or its own per-card data
    key (scheme 1, before key rings)."""
    owner = (token, merchant_id, mode)
    if "key_version" in item:
        version = item["key_version"]
        key = keyring.version_key(merchant_id, mode, version, token).plaintext
        aad = envelope.associated_data(purpose, *owner, version)
    else:
        legacy = _legacy_key(item, token, merchant_id, mode)
        key, aad = legacy, envelope.associated_data(purpose, *owner)
    return envelope.unseal(key, _bytes(item["nonce"]), _bytes(item["ciphertext"]), aad, token)


def _legacy_key(item: dict[str, Any], token: str, merchant_id: str, mode: str) -> bytes:
    """Scheme 1: the card's own data key (on the CARD item; a CVC item reads its card's)."""
    wrapped = item.get("data_key")
    if wrapped is None:
        card = store.card_item(token)
        wrapped, item = (card or {}).get("data_key"), card or item
    if wrapped is None:
        raise envelope.CardUnreadable(f"card {token} does not decrypt (no data key)")
    return envelope.unwrap(_bytes(wrapped), item["key_id"], envelope.context(token, merchant_id, mode), token)


def _owner_ok(merchant_id: str, mode: str) -> None:
    if not merchant_id or "#" in merchant_id:
        raise BadRequest("merchant_id is required", "merchant_id")
    if mode not in MODES:
        raise BadRequest("mode must be test or live", "mode")


def _bytes(value: Any) -> bytes:
    return bytes(getattr(value, "value", value))


# --- the functions' events ------------------------------------------------------------------------
def handle_tokenize(event: dict[str, Any]) -> dict[str, Any]:
    """TokenizeCard: ``{card, merchant_id, mode[, token]}`` -> ``{card: facts, items: [sealed items]}``."""
    try:
        card = CardIn.model_validate(event.get("card") or {})
    except ValidationError as exc:  # its message would quote the input (the PAN): name the field only
        field = ".".join(str(part) for part in exc.errors()[0]["loc"]) if exc.errors() else "card"
        raise BadRequest("the card is not valid", f"card.{field}") from None
    stored, items = tokenize(
        card, str(event.get("merchant_id") or ""), str(event.get("mode") or ""), event.get("token")
    )
    return {"card": facts_json(stored), "items": [wire_dump(item) for item in items]}


def handle_reveal(event: dict[str, Any]) -> dict[str, Any]:
    """RevealCard: ``{token, merchant_id, mode}`` -> ``{card: {number, exp_month, ...} | null}``."""
    card = reveal(
        str(event.get("token") or ""), str(event.get("merchant_id") or ""), str(event.get("mode") or "")
    )
    if card is None:
        return {"card": None}
    fields = ("number", "exp_month", "exp_year", "cvc", "holder")
    return {"card": {name: getattr(card, name) for name in fields}}


def facts_json(stored: StoredCard) -> dict[str, Any]:
    return {
        "token": stored.token,
        "network": stored.network,
        "last4": stored.last4,
        "expiry_month": stored.expiry_month,
        "expiry_year": stored.expiry_year,
        "fingerprint": stored.fingerprint,
    }
