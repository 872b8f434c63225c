"""Connector credentials at rest: encrypted with the connectors context's KMS key.

Each configuration's credentials are one KMS ``Encrypt`` of their JSON (a few hundred bytes, well
under KMS's 4 KB: no data key needed), under an encryption context naming the merchant, the mode and
the configuration. KMS refuses to decrypt under any other context, so a ciphertext copied onto
another merchant's (or mode's) configuration decrypts nowhere; CloudTrail logs the context of every
decrypt. The plaintext exists only in the memory of the function that uses it.

A warm function keeps what it decrypted for ``CACHE_SECONDS``, keyed by the context and the ciphertext
itself: a changed credential is a new ciphertext (decrypted by KMS again), a configuration moved or
deleted is read from the table first as before, and a provider webhook flood against one configuration
costs one KMS request a minute per warm function instead of one per request.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from paygate.core import aws
from paygate.core.settings import ConnectorsEnv


def _context(merchant_id: str, mode: str, connector_id: str) -> dict[str, str]:
    return {"merchant_id": merchant_id, "mode": mode, "merchant_connector_id": connector_id}


def encrypt(credentials: dict[str, str], merchant_id: str, mode: str, connector_id: str) -> bytes:
    answer = aws.client("kms").encrypt(
        KeyId=ConnectorsEnv.load().connectors_key_id,
        Plaintext=json.dumps(credentials, sort_keys=True).encode(),
        EncryptionContext=_context(merchant_id, mode, connector_id),
    )
    return bytes(answer["CiphertextBlob"])


CACHE_SECONDS = 60
CACHE_ENTRIES = 256
_decrypted: dict[tuple[str, str, str, bytes], tuple[float, dict[str, str]]] = {}


def decrypt(blob: Any, merchant_id: str, mode: str, connector_id: str) -> dict[str, str]:
    """The credentials of a configuration (``blob`` as stored: bytes, or boto3's Binary)."""
    raw = bytes(getattr(blob, "value", blob))
    key = (merchant_id, mode, connector_id, hashlib.sha256(raw).digest())
    now = time.monotonic()
    found = _decrypted.get(key)
    if found is not None and now < found[0]:
        return dict(found[1])
    answer = aws.client("kms").decrypt(
        CiphertextBlob=raw, EncryptionContext=_context(merchant_id, mode, connector_id)
    )
    plain = dict(json.loads(answer["Plaintext"]))
    if len(_decrypted) >= CACHE_ENTRIES:
        _decrypted.clear()  # a bound, not an LRU: a warm function serves few configurations
    _decrypted[key] = (now + CACHE_SECONDS, plain)
    return dict(plain)
