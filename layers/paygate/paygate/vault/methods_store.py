"""DynamoDB access of saved payment methods: ``pm_…`` objects in the vault's table (an ``ObjectTable``,
keys-only indexes: gsi1 lists a merchant's methods, gsi2 a customer's). A detached method leaves its
customer's listing (``gsi2pk`` moves to ``DETACHED#<customer>``) and is never attached again."""

from __future__ import annotations

from typing import Any

from paygate.core.objects import OWNED, ObjectTable
from paygate.core.settings import VaultTable

KIND = "payment_method"
DETACHED = "DETACHED#"

objects = ObjectTable(lambda: VaultTable.load().vault_table, keys_only=True)

__all__ = ["DETACHED", "KIND", "OWNED", "objects", "owned"]


def owned(pm_id: str, merchant_id: str, mode: str) -> dict[str, Any] | None:
    return objects.owned(pm_id, KIND, merchant_id, mode)
