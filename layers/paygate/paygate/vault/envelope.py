"""Envelope encryption of one card: a fresh 256-bit data key from KMS, AES-256-GCM with it.

KMS's encryption context names the merchant, the mode and the card token, so the data key of one card
decrypts under no other (and CloudTrail logs the context of every decrypt). Each AES-GCM ciphertext's
associated data names the same three and the item's purpose (``card`` or ``cvc``): a ciphertext moved
to another item, token or owner fails its tag even when the data key came along. Plaintext (data key,
PAN, CVC) exists only in memory and never in a message of the errors raised here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from paygate.core import aws
from paygate.core.errors import PaygateError

SCHEME = 1  # the layout of the associated data and the sealed plaintext; rotation (issue 18) reads it
NONCE_BYTES = 12  # AES-GCM's 96-bit nonce; a fresh random one per ciphertext
_REFUSED = ("InvalidCiphertextException", "IncorrectKeyException")  # KMS: not this key's, or altered


class CardUnreadable(PaygateError):
    """A stored card that does not decrypt: its data key or a ciphertext was altered or moved. Never
    retried (it cannot get better); the message names the token only."""

    code = "CARD_UNREADABLE"


@dataclass(frozen=True)
class DataKey:
    plaintext: bytes = field(repr=False)
    wrapped: bytes = field(repr=False)  # the data key encrypted by the vault's KMS key, as stored
    key_id: str  # the KMS key's ARN, stored beside the ciphertexts (rotation reads it)


def context(token: str, merchant_id: str, mode: str) -> dict[str, str]:
    return {"merchant_id": merchant_id, "mode": mode, "card_token": token}


def associated_data(purpose: str, token: str, merchant_id: str, mode: str) -> bytes:
    """JSON, so no value can run into the next (a ``|``-joined string could)."""
    fields = {"v": SCHEME, "purpose": purpose, **context(token, merchant_id, mode)}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def new_data_key(key_id: str, token: str, merchant_id: str, mode: str) -> DataKey:
    answer = aws.client("kms").generate_data_key(
        KeyId=key_id, KeySpec="AES_256", EncryptionContext=context(token, merchant_id, mode)
    )
    return DataKey(bytes(answer["Plaintext"]), bytes(answer["CiphertextBlob"]), answer["KeyId"])


def open_data_key(wrapped: bytes, key_id: str, token: str, merchant_id: str, mode: str) -> bytes:
    """The data key, or ``CardUnreadable`` when KMS refuses it (altered, or another card's context)."""
    try:
        answer = aws.client("kms").decrypt(
            CiphertextBlob=wrapped, KeyId=key_id, EncryptionContext=context(token, merchant_id, mode)
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _REFUSED:
            raise CardUnreadable(f"card {token} does not decrypt (its data key was refused)") from None
        raise
    return bytes(answer["Plaintext"])


def seal(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """(nonce, ciphertext with its 16-byte tag)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes, token: str) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError):  # ValueError: a nonce of the wrong length
        raise CardUnreadable(f"card {token} does not decrypt (a ciphertext was altered or moved)") from None
