"""Who is calling: the merchant (API key or dashboard session) or the platform admin, from the headers.

Runs before routing and body validation, so a caller without credentials learns nothing about the
shape of the request and never reaches a handler.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any

from paygate.core.errors import Unauthorized
from paygate.core.settings import AdminEnv
from paygate.dashboard import sessions
from paygate.merchants import service as merchants
from paygate.merchants.keys import same_hash
from paygate.merchants.models import Principal

Authenticator = Callable[[Mapping[str, str]], dict[str, Any]]
REALM = "paygate"


def _headers(event: dict[str, Any]) -> dict[str, str]:
    """Lower-cased names. Several ``Cookie`` headers (HTTP/2 sends one per cookie) are joined with
    ``; ``, as the single-value ``headers`` map of the proxy event would keep only the last one."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items() if isinstance(v, str)}
    cookies = [
        value
        for name, values in (event.get("multiValueHeaders") or {}).items()
        if name.lower() == "cookie"
        for value in values or []
        if isinstance(value, str)
    ]
    if cookies:
        headers["cookie"] = "; ".join(cookies)
    return headers


def _authorization(headers: Mapping[str, str]) -> tuple[str, str]:
    """(scheme in lower case, credentials) of the ``Authorization`` header; the scheme is case-insensitive."""
    scheme, _, credentials = headers.get("authorization", "").strip().partition(" ")
    return scheme.lower(), credentials.strip()


def _bearer(headers: Mapping[str, str]) -> str | None:
    scheme, token = _authorization(headers)
    return token or None if scheme == "bearer" else None


def _basic(headers: Mapping[str, str]) -> tuple[str | None, str] | None:
    """(key id, secret) of ``Authorization: Basic`` (RFC 7617, how ``curl -u key_id:secret`` sends it);
    ``None`` without one. An empty password makes the username the secret with no key id, as Stripe
    reads ``curl -u sk_...:``: the same as ``Authorization: Bearer <secret>``."""
    scheme, credentials = _authorization(headers)
    if scheme != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise Unauthorized("HTTP Basic credentials must be base64 of key_id:secret", "Authorization") from exc
    user, colon, password = decoded.partition(":")
    if not colon or not user:
        raise Unauthorized("HTTP Basic credentials must be base64 of key_id:secret", "Authorization")
    return (user, password) if password else (None, user)


def merchant(headers: Mapping[str, str]) -> dict[str, Any]:
    """``X-Api-Key`` + ``X-Api-Secret`` (seed contract), HTTP Basic ``key_id:secret`` (or ``secret:``),
    or ``Authorization: Bearer <secret>``; without any, the dashboard's session cookie with
    ``X-Paygate-Dashboard: 1`` (``key_id="dashboard"``)."""
    key_id, secret = headers.get("x-api-key"), headers.get("x-api-secret")
    if key_id is None and secret is None:
        basic = _basic(headers)
        if basic is not None:
            key_id, secret = basic
        else:
            secret = _bearer(headers)
        if secret is None:
            session = sessions.principal_from(headers)
            if session is not None:
                return {"principal": session}
    elif not key_id or not secret:
        raise Unauthorized("send both X-Api-Key and X-Api-Secret")
    principal: Principal = merchants.authenticate(key_id, secret)
    return {"principal": principal}


def platform_admin(headers: Mapping[str, str]) -> dict[str, Any]:
    """The platform admin key from the environment (stored as its SHA-256), as a Bearer token."""
    token = _bearer(headers) or headers.get("x-admin-key")
    if not token or not same_hash(token, AdminEnv.load().platform_admin_key_hash):
        raise Unauthorized("platform admin key required")
    return {"admin": True}


def dashboard_client(headers: Mapping[str, str]) -> dict[str, Any]:
    """Login and logout: no session needed, but the dashboard's header is (no login CSRF either).
    Hands on the session cookie (if any) and whether the viewer came over https (cookie ``Secure``)."""
    if headers.get(sessions.HEADER.lower()) != "1":
        raise Unauthorized(f"dashboard requests need the header {sessions.HEADER}: 1", sessions.HEADER)
    return {"session_token": sessions.token_from(headers), "https": sessions.is_https(headers)}


def public(_headers: Mapping[str, str]) -> dict[str, Any]:
    return {}


def context_for(event: dict[str, Any], authenticator: Authenticator) -> dict[str, Any]:
    return authenticator(_headers(event))


def challenge(event: dict[str, Any], authenticator: Authenticator) -> str | None:
    """``WWW-Authenticate`` of a 401 (RFC 9110 section 11.6.1): the schemes the route takes. The
    dashboard's own requests get no ``Basic`` challenge: a browser would open its login dialog on it."""
    if authenticator is merchant:
        if _headers(event).get(sessions.HEADER.lower()) == "1":
            return f'Bearer realm="{REALM}"'
        return f'Basic realm="{REALM}", charset="UTF-8", Bearer realm="{REALM}"'
    if authenticator is platform_admin:
        return f'Bearer realm="{REALM}-admin"'
    return None
