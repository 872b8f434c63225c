"""Login throttling: at most 5 password checks per account (email) and 20 per client (source IP) in a
15-minute window (OWASP Authentication Cheat Sheet: limit failed attempts per account, and per IP
against password spraying).

An attempt is counted *before* its password is checked, by one conditional write per counter, so
concurrent attempts can never get more checks than the limit; a successful login clears the
account's counter and gives the client's attempt back (only failures are what a limit is about).
Past a limit, every login answers 429 with Retry-After (the rest of the window) without checking the
password: the same answer whether the password is right or wrong, and whether the email exists or not
(an unknown email has a counter like any other), so the limit is no oracle.

Counters are keyed by an HMAC of the email or IP (the session signing key): no typed-in email (or a
password pasted into the email field) is stored in the clear.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from paygate.core import clock
from paygate.core.errors import TooManyAttempts
from paygate.core.settings import SessionSigning
from paygate.dashboard import store

WINDOW_SECONDS = 15 * 60
ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 20
CONTENDED_RETRY_SECONDS = 1


@dataclass(frozen=True)
class Counted:
    """One attempt, counted in these windows (subject, window start)."""

    account: tuple[str, int]
    client: tuple[str, int]


def subject(kind: str, value: str) -> str:
    key = SessionSigning.load().session_signing_key.get_secret_value().encode()
    return f"{kind}#{hmac.new(key, value.encode(), hashlib.sha256).hexdigest()}"


def admit(email: str, client_ip: str) -> Counted:
    """Count a login attempt for ``email`` from ``client_ip``; TooManyAttempts (429) past a limit.

    The account is counted first; when the client is then over its limit, the account's attempt is
    given back (no password was checked)."""
    now = int(clock.now().timestamp())
    account = subject("account", email)
    account_start = _count(account, ACCOUNT_LIMIT, now)
    client = subject("client", client_ip)
    try:
        client_start = _count(client, CLIENT_LIMIT, now)
    except TooManyAttempts:
        store.give_back(account, account_start)
        raise
    return Counted((account, account_start), (client, client_start))


def succeeded(counted: Counted) -> None:
    """The right password of an active account: its failures are forgiven, the client's attempt too."""
    store.clear_limit(counted.account[0])
    store.give_back(*counted.client)


def _count(subject_key: str, limit: int, now: int) -> int:
    """The start of the window this attempt was counted in; raises TooManyAttempts when it is full."""
    for _ in range(3):  # a window may start or end between the two writes: look again
        if store.open_window(subject_key, now, WINDOW_SECONDS):
            return now
        start = store.count_in_window(subject_key, now, WINDOW_SECONDS, limit)
        if start is not None:
            return start
        found = store.get_limit(subject_key)
        if found and int(found["window_start"]) > now - WINDOW_SECONDS and int(found["attempts"]) >= limit:
            raise _too_many(int(found["window_start"]) + WINDOW_SECONDS - now)
    raise _too_many(CONTENDED_RETRY_SECONDS)


def _too_many(retry_after: int) -> TooManyAttempts:
    return TooManyAttempts("too many login attempts; try again later", retry_after=max(1, retry_after))
