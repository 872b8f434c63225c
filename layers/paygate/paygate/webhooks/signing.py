"""Signatures on every delivery: the seed's hex HMAC and the Standard Webhooks headers.

``X-Webhook-Signature``: hex HMAC-SHA256 of the raw body keyed with the secret as text (seed contract).
``webhook-id`` / ``webhook-timestamp`` / ``webhook-signature: v1,<base64>``: HMAC-SHA256 of
``{id}.{timestamp}.{body}`` keyed with the secret's bytes (base64 after ``whsec_``), as the Standard
Webhooks spec defines it, so ``standardwebhooks.Webhook(secret).verify`` accepts it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    # as the spec's libraries read it: base64 after the prefix, non-alphabet characters skipped
    return base64.b64decode(secret.removeprefix(PREFIX) + "==")


def headers(secret: str, event_id: str, timestamp: int, body: str) -> dict[str, str]:
    hex_mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    signed = f"{event_id}.{timestamp}.{body}".encode()
    standard = base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()
    return {
        "X-Webhook-Signature": hex_mac,
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{standard}",
    }
