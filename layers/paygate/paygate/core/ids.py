"""Object ids: a prefix and 14 base62 characters, time-ordered so that ids sort by creation.

8 characters of milliseconds since the epoch (enough until the year 8888) then 6 random ones
(62^6 = 5.7e10 per millisecond), as the seed contract's ``order_`` + 14 characters asks.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from paygate.core import clock

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_CHARS = 14
_TIME_CHARS = 8


def base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        chars.append(ALPHABET[rest])
    return "".join(reversed(chars))


def random_base62(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


_derivation: ContextVar[tuple[str, dict[str, int]] | None] = ContextVar("paygate_id_derivation", default=None)


@contextmanager
def derived_ids(*parts: str) -> Iterator[None]:
    """Inside, ``new_id`` derives its ids from ``parts`` (the n-th id of each prefix), so a create that
    runs again for the same request (same route, merchant, mode and Idempotency-Key: the idempotency
    record was lost, say a timeout after the write) makes the same ids, and its conditional writes meet
    the first run's objects instead of creating twins. Such ids are not time-ordered; listings sort by
    ``created_at`` anyway."""
    token = _derivation.set(("|".join(parts), {}))
    try:
        yield
    finally:
        _derivation.reset(token)


def new_id(prefix: str) -> str:
    derivation = _derivation.get()
    if derivation is not None:
        seed, counts = derivation
        number = counts[prefix] = counts.get(prefix, 0) + 1
        return derived_id(prefix, seed, str(number))
    millis = int(clock.now().timestamp() * 1000)
    return f"{prefix}_{base62(millis, _TIME_CHARS)}{random_base62(ID_CHARS - _TIME_CHARS)}"


def derived_id(prefix: str, *parts: str) -> str:
    """A stable id for the same inputs (e.g. an event id from an object id and its version)."""
    digest = int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:12], "big")
    return f"{prefix}_{base62(digest, ID_CHARS)}"


def has_prefix(value: str, prefix: str) -> bool:
    body = value.removeprefix(prefix + "_")
    return body != value and len(body) == ID_CHARS and all(c in ALPHABET for c in body)
