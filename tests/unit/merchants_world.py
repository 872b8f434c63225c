"""The merchants (and webhooks) tables on moto, created from the product template's own definitions,
with DynamoDB item operations as atomic as DynamoDB's (threads race through the conditional writes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.unit.moto_world import tables_world

TABLES = {"MERCHANTS_TABLE": "MerchantsTable", "WEBHOOKS_TABLE": "WebhooksTable"}
SIGNING_KEY = "unit-test-session-signing-key-of-32-chars+"


@contextmanager
def merchants_world() -> Iterator[None]:
    with tables_world(TABLES, SESSION_SIGNING_KEY=SIGNING_KEY):
        yield
