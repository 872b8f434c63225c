"""The floor against card testing on the open checkout (the risk engine comes later and builds on it).

An anonymous payment form is a free card-checking oracle unless attempts cost something:

- **per order**: at most ``ORDER_ATTEMPTS`` payments, for every caller. The order's ``attempts``
  counter is raised in the same transaction that records the payment, under ``attempts < limit``.
- **per client** of the public checkout (its source address, stored only as a hash): at most
  ``CLIENT_ATTEMPTS`` payments an hour; after ``FREE_DECLINES`` declines in the hour, each further
  attempt waits ``DECLINE_BACKOFF * 2^(declines - FREE_DECLINES)`` seconds after the last decline
  (capped at ``MAX_BACKOFF``): a human retrying a mistyped card never notices, a script does.
  Declines are counted by the processing Task in the same transaction that records the decline.
- **what the public sees**: a generic decline (``paygate.payments.models.PublicPayment``): the
  issuer's reason is for the merchant's eyes (its API and webhooks), not for whoever holds an order id.

Counters live in the payments table under ``THROTTLE#...`` keys with a TTL (``expires_at``); they are
not API objects (no ``type``), so the outbox publishes nothing for them.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from paygate.core import clock, dynamo
from paygate.core.errors import TooManyAttempts
from paygate.payments import store

ORDER_ATTEMPTS = 10
CLIENT_ATTEMPTS = 30
FREE_DECLINES = 3
DECLINE_BACKOFF = 5  # seconds, doubled per decline past FREE_DECLINES
MAX_BACKOFF = 900
WINDOW = 3600


def client_key(source_ip: str) -> dict[str, str]:
    """The throttle item of a client in the current hour. The address is kept only as a hash."""
    digest = hashlib.sha256(source_ip.encode()).hexdigest()[:32]
    window = int(clock.now().timestamp()) // WINDOW * WINDOW
    return {"pk": f"THROTTLE#checkout#{digest}", "sk": str(window)}


def backoff_seconds(declines: int) -> int:
    if declines < FREE_DECLINES:
        return 0
    return min(DECLINE_BACKOFF * 2 ** (declines - FREE_DECLINES), MAX_BACKOFF)


def admit(key: dict[str, str]) -> None:
    """Count one attempt of the client, or refuse it with 429 and when to come back.

    The count is conditioned on what the decision read (attempts below the cap, declines unchanged),
    so concurrent attempts cannot slip past the cap or the backoff together.
    """
    now = clock.now().timestamp()
    for _ in range(20):
        found = dynamo.get(store.table(), key["pk"], key["sk"]) or {}
        attempts, declines = int(found.get("attempts", 0)), int(found.get("declines", 0))
        if attempts >= CLIENT_ATTEMPTS:
            wait = int(key["sk"]) + WINDOW - now
            raise TooManyAttempts(
                "too many payment attempts from this client; try again later", None, math.ceil(wait)
            )
        backoff = backoff_seconds(declines)
        wait = float(found.get("last_decline_at", 0)) + backoff - now
        if backoff and wait > 0:
            raise TooManyAttempts(
                "too many declined payments from this client; wait before trying again",
                None,
                math.ceil(wait),
            )
        condition = (
            "(attribute_not_exists(#attempts) OR #attempts = :attempts) "
            "AND (attribute_not_exists(#declines) OR #declines = :declines)"
        )
        op = dynamo.update_op(
            store.table(),
            key,
            sets={"expires_at": int(key["sk"]) + 2 * WINDOW},
            add={"attempts": 1},
            condition=condition,
            names={"#declines": "declines"},
            attempts=attempts,
            declines=declines,
        )
        if dynamo.update(op) is not None:
            return
    raise TooManyAttempts("too many concurrent payment attempts from this client", None, 1)


def decline_counted(key: dict[str, str], now_epoch: float) -> dict[str, Any]:
    """The Update that counts a decline of the client (part of the transaction recording it)."""
    return dynamo.update_op(
        store.table(),
        key,
        sets={"last_decline_at": math.ceil(now_epoch), "expires_at": int(key["sk"]) + 2 * WINDOW},
        add={"declines": 1},
    )
