"""Dashboard passwords: argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile), never stored plain.

``verify`` costs one argon2 verification whether or not there is a hash to check, so a login for an
unknown email (or a merchant without a password) takes as long as a wrong password.
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash of a random password with the current parameters, to verify against when there is none."""
    return _hasher.hash(secrets.token_urlsafe(16))


def verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
