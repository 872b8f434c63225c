"""Writing a planned transition: conditioned on the version that was read, retried on a fresh read.

Every money write on a payment (refund, capture, cancel) plans its change from one read of the payment
(``paygate.payments.lifecycle``) and commits it with ``#version = :version``: if anything changed in
between (a capture lowered the ceiling, another refund raised ``amount_refunded``), the write fails as a
whole and the use case reads again and plans again, so the guard and the status it decides always hold
for the values actually written over. Contention costs retries, never correctness: after
``ATTEMPTS`` lost races the caller gets a 409 to retry.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from paygate.core.errors import Conflict
from paygate.payments import store
from paygate.payments.access import owner_values
from paygate.payments.lifecycle import Change

ATTEMPTS = 60
T = TypeVar("T")


class Stale(Exception):
    """A version condition failed: the object changed after it was read."""


def payment_write(payment: dict[str, Any], change: Change) -> dict[str, Any]:
    """The Update of ``payment`` for ``change``, valid only if the payment is still as read."""
    return pinned(payment, change.sets, change.add)


def pinned(item: dict[str, Any], sets: dict[str, Any], add: dict[str, int] | None = None) -> dict[str, Any]:
    """An Update of a payments-table object conditioned on its version and owner as read."""
    return store.change(
        item["id"],
        sets=sets,
        add=add,
        condition=f"#version = :version AND {store.OWNED}",
        version=item["version"],
        **owner_values(item),
    )


def retrying(attempt: Callable[[], T], what: str) -> T:
    """Run ``attempt`` (read, plan, write) until it does not raise ``Stale``; jittered backoff."""
    for number in range(ATTEMPTS):
        try:
            return attempt()
        except Stale:
            time.sleep(random.uniform(0.002, 0.01) * min(number + 1, 10))  # noqa: S311 - jitter
    raise Conflict(f"the {what} kept changing while it was being updated; retry the request")
