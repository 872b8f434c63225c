"""API key material: generation and the one-way hash that is all the store ever keeps."""

from __future__ import annotations

import hashlib
import hmac

from paygate.core.ids import random_base62
from paygate.merchants.models import Mode

SECRET_CHARS = 32


def secret_hash(secret: str) -> str:
    """SHA-256 is enough here: generated secrets carry 190 bits of entropy, so no stretching is needed."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_hash(secret: str, expected_hash: str) -> bool:
    return bool(expected_hash) and hmac.compare_digest(secret_hash(secret), expected_hash)


def new_key_pair(mode: Mode) -> tuple[str, str]:
    return f"key_{mode}_{random_base62(14)}", f"secret_{mode}_{random_base62(SECRET_CHARS)}"


def new_webhook_secret() -> str:
    return f"whsec_{random_base62(SECRET_CHARS)}"


def mode_of_key(key_id: str) -> Mode | None:
    if key_id.startswith("key_test_"):
        return "test"
    if key_id.startswith("key_live_"):
        return "live"
    return None
