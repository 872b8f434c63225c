"""Connector credentials at rest: encrypted with the connectors context's KMS key.

Each configuration's credentials are one KMS ``Encrypt`` of their JSON (a few hundred bytes, well
under KMS's 4 KB: no data key needed), under an encryption context naming the merchant, the mode and
the configuration. KMS refuses to decrypt under any other context, so a ciphertext copied onto
another merchant's (or mode's) configuration decrypts nowhere; CloudTrail logs the context of every
decrypt. The plaintext exists only in the memory of the function that uses it.
"""

from __future__ import annotations

import json
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


def decrypt(blob: Any, merchant_id: str, mode: str, connector_id: str) -> dict[str, str]:
    """The credentials of a configuration (``blob`` as stored: bytes, or boto3's Binary)."""
    raw = getattr(blob, "value", blob)
    answer = aws.client("kms").decrypt(
        CiphertextBlob=bytes(raw), EncryptionContext=_context(merchant_id, mode, connector_id)
    )
    return dict(json.loads(answer["Plaintext"]))
