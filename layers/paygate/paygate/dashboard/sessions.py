"""Dashboard sessions: a signed token in an HttpOnly cookie, backed by a session item that can be revoked.

The cookie carries a JWT (HS256, key from ``SESSION_SIGNING_KEY``; claims ``sub`` = merchant id,
``mode``, ``jti``, ``iat``, ``exp`` = 12 h). A request is authenticated when, in this order, the
signature and expiry check out, the session item ``jti`` still exists (logout deletes it), the
merchant is active (suspended -> 403, as with an API key) and its ``session_epoch`` is still the one
the session started under (a password change or a suspension moves it on: every session of the
merchant ends at once, without finding them; reactivation does not bring them back).

CSRF: the cookie counts only with the header ``X-Paygate-Dashboard: 1``. A cross-site page cannot add
a custom header without a CORS preflight, which the API never answers; SameSite=Strict is the second
line.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from http.cookies import CookieError, SimpleCookie
from typing import Any

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from paygate.core import clock
from paygate.core.errors import Forbidden, Unauthorized
from paygate.core.settings import SessionSigning
from paygate.dashboard import store
from paygate.merchants import store as merchants_store
from paygate.merchants.models import Mode, Principal

COOKIE = "paygate_session"
HEADER = "X-Paygate-Dashboard"
PRINCIPAL_KEY_ID = "dashboard"
LIFETIME = timedelta(hours=12)
ALGORITHM = "HS256"
CLAIMS = ["sub", "mode", "jti", "iat", "exp"]


def _signing_key() -> str:
    key = SessionSigning.load().session_signing_key.get_secret_value()
    if not key:
        raise Forbidden("dashboard login is disabled: the stack has no SessionSigningKey")
    return key


# --- tokens ------------------------------------------------------------------------------------
def start(merchant_id: str, mode: Mode, epoch: int) -> str:
    """A new session item and its token; ``epoch`` is the merchant's ``session_epoch`` as read when its
    password was checked (a password change after that read ends this session too)."""
    key = _signing_key()
    now = clock.now().replace(microsecond=0)
    expires = now + LIFETIME
    jti = secrets.token_urlsafe(18)
    store.put_session(
        jti, merchant_id, mode, clock.iso(now), clock.iso(expires), ttl=int(expires.timestamp()), epoch=epoch
    )
    claims = {
        "sub": merchant_id,
        "mode": mode,
        "jti": jti,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return _jwt().encode(claims, key, algorithm=ALGORITHM)


def _jwt() -> Any:
    """PyJWT, imported on first use: every merchant route imports this module, few see a session token
    (PyJWT pulls in ``cryptography``, ~30 ms of a cold start)."""
    import jwt

    return jwt


def _claims(token: str, verify_exp: bool = True) -> dict[str, Any] | None:
    jwt = _jwt()
    try:
        claims = jwt.decode(
            token,
            _signing_key(),
            algorithms=[ALGORITHM],
            options={"require": CLAIMS, "verify_exp": verify_exp},
        )
    except jwt.InvalidTokenError:
        return None
    return claims if claims.get("mode") in ("test", "live") else None


def authenticate(token: str) -> Principal:
    """The merchant and mode of a session token; 401 when it is not (or no longer) valid."""
    claims = _claims(token)
    if claims is None:
        raise Unauthorized("invalid or expired dashboard session; log in again")
    session = store.get_session(claims["jti"])
    if (
        session is None
        or (session["merchant_id"], session["mode"]) != (claims["sub"], claims["mode"])
        or session["expires_at"] <= clock.iso_now()
    ):
        raise Unauthorized("the dashboard session has ended; log in again")
    merchant = merchants_store.get_merchant(claims["sub"])
    if merchant is None:
        raise Unauthorized("the dashboard session has ended; log in again")
    if merchant.get("status") != "active":
        raise Forbidden("this merchant account is suspended")
    if int(session.get("epoch", 0)) != epoch_of(merchant):  # a password change or a suspension since
        raise Unauthorized("the dashboard session has ended; log in again")
    return Principal(merchant_id=claims["sub"], mode=claims["mode"], key_id=PRINCIPAL_KEY_ID)


def epoch_of(merchant: Mapping[str, Any]) -> int:
    """Sessions started under another epoch are over (profiles older than epochs read as 0)."""
    return int(merchant.get("session_epoch", 0))


def end(token: str | None) -> None:
    """Revoke the session of a token whose signature checks out (expired or not); others are ignored."""
    claims = _claims(token, verify_exp=False) if token else None
    if claims is not None:
        store.delete_session(claims["jti"])


# --- HTTP: the cookie and the CSRF header ------------------------------------------------------
def token_from(headers: Mapping[str, str]) -> str | None:
    """The session cookie's value from lower-cased request headers (``cookie`` may join several)."""
    for part in headers.get("cookie", "").split(";"):
        jar: SimpleCookie = SimpleCookie()
        try:  # one by one: a neighbour cookie SimpleCookie cannot parse must not hide ours
            jar.load(part.strip())
        except CookieError:
            continue
        if COOKIE in jar and jar[COOKIE].value:
            return jar[COOKIE].value
    return None


def principal_from(headers: Mapping[str, str]) -> Principal | None:
    """The caller by session cookie; None without the cookie, 401 without the CSRF header."""
    token = token_from(headers)
    if token is None:
        return None
    if headers.get(HEADER.lower()) != "1":
        raise Unauthorized(f"a dashboard session needs the header {HEADER}: 1", HEADER)
    return authenticate(token)


def is_https(headers: Mapping[str, str]) -> bool:
    """Whether the viewer used https (API Gateway and CloudFront say so in X-Forwarded-Proto)."""
    proto = next((v for k, v in headers.items() if k.lower() == "x-forwarded-proto"), "")
    return proto.split(",")[0].strip().lower() == "https"


def session_cookie(token: str, secure: bool) -> Cookie:
    return Cookie(
        COOKIE,
        token,
        path="/",
        secure=secure,
        http_only=True,
        max_age=int(LIFETIME.total_seconds()),
        same_site=SameSite.STRICT_MODE,
    )


def cleared_cookie(secure: bool) -> Cookie:
    return Cookie(
        COOKIE,
        "",
        path="/",
        secure=secure,
        http_only=True,
        max_age=0,
        expires=datetime(1970, 1, 1, tzinfo=UTC),
        same_site=SameSite.STRICT_MODE,
    )
