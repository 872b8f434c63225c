"""What the vault shows other contexts of a card (``StoredCard``) and a card sealed but not yet written
(``SealedCard``): no PAN, no CVC, ever."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CVC_SECONDS = 15 * 60  # PCI DSS: sensitive authentication data only until authorization; at most this
TOKEN_PREFIX = "card"  # noqa: S105 - an id prefix (card_...), not a secret


@dataclass(frozen=True)
class StoredCard:
    """What may be shown or stored elsewhere. ``fingerprint``: a keyed HMAC of the PAN, the same for
    the same card within one merchant and mode, another for another merchant or mode."""

    token: str
    network: str
    last4: str
    expiry_month: int
    expiry_year: int
    fingerprint: str = ""


@dataclass(frozen=True)
class SealedCard:
    """A card encrypted and not yet written: ``writes`` are the TransactWriteItems Puts of its two items,
    for a caller that commits them with its own writes (a payment and its card, or nothing)."""

    card: StoredCard
    writes: list[dict[str, Any]] = field(repr=False)
