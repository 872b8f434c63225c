"""Signed challenge tokens: what the hosted 3-D Secure page (and the hosted wallet page) carries in its
address and posts back.

``<expires epoch seconds>.<base64url HMAC-SHA256>`` over ``paygate-challenge/v1|<payment id>|<expires>``
with the deployment's ``ChallengeSigningKey`` (a template parameter, NoEcho, 32+ characters; `paygate
local` draws one per start). The payment id is inside the MAC, so a token for one payment never works
for another; the expiry is inside it too, so it cannot be extended; the label keeps a MAC made here
from ever standing for anything else signed with the same key. Nothing is stored: a replay after
completion meets a payment that is no longer ``requires_action`` and changes nothing.

The purpose is bound too: a wallet page's token is signed under its own label
(``paygate-wallet/v1|...``), so a 3-D Secure challenge's token is never a wallet approval, nor the
reverse (docs/connectors.md "Wallets").
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from paygate.core.errors import BadRequest
from paygate.core.settings import ChallengeEnv

LABEL = "paygate-challenge/v1"
LABELS = {"challenge": LABEL, "wallet": "paygate-wallet/v1"}
"""The purpose of a token: what it authorizes (a 3-D Secure challenge's result, a wallet's answer)."""


class SigningKeyMissing(RuntimeError):
    """The deployment has no ChallengeSigningKey: no challenge can be offered (an operator's error)."""


def _mac(payment_id: str, expires: int, purpose: str) -> str:
    key = ChallengeEnv.load().challenge_signing_key.get_secret_value()
    if not key:
        raise SigningKeyMissing(
            "set the ChallengeSigningKey template parameter to offer 3-D Secure challenges"
        )
    message = f"{LABELS[purpose]}|{payment_id}|{expires}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(payment_id: str, expires: int, purpose: str = "challenge") -> str:
    return f"{expires}.{_mac(payment_id, expires, purpose)}"


def verify(token: str, payment_id: str, now: float, purpose: str = "challenge") -> int:
    """The token's expiry (epoch seconds) if it was signed here for ``payment_id`` and ``purpose`` and
    has not expired; otherwise a 400 naming ``token`` (one description for every forgery, so it is no
    oracle)."""
    expires_text, _, mac = token.partition(".")
    if not (expires_text.isdigit() and len(expires_text) <= 12 and mac):
        raise BadRequest("the challenge token is not valid for this payment", "token")
    expires = int(expires_text)
    if not hmac.compare_digest(mac, _mac(payment_id, expires, purpose)):
        raise BadRequest("the challenge token is not valid for this payment", "token")
    if now >= expires:
        raise BadRequest("the challenge token has expired", "token")
    return expires
