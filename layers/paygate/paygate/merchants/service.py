"""Merchant use cases: create (with test and live key pairs), list, update, authenticate, seed, the
API keys of a merchant (list, regenerate one mode's pair) and its own webhook URL per mode."""

from __future__ import annotations

from typing import Any

from paygate.core import clock
from paygate.core.errors import Conflict, Forbidden, NotFound, Unauthorized
from paygate.core.ids import derived_id, new_id
from paygate.merchants import keys, own_webhook, passwords, store
from paygate.merchants.models import (
    ApiKey,
    ApiKeyCredentials,
    CreatedMerchant,
    Merchant,
    MerchantIn,
    MerchantList,
    MerchantUpdate,
    Mode,
    Principal,
)
from paygate.webhooks.urls import check_url

SEED_EMAIL = "test@example.com"
SEED_KEY_ID = "key_test_abc123"
SEED_SECRET = "secret_test_xyz789"  # noqa: S105 - the documented, test-mode-only seed credential
SEED_WEBHOOK_SECRET = "whsec_test_abc123"  # noqa: S105
SEED_PASSWORD = "test_password_123"  # noqa: S105 - documented dashboard password of the test merchant


def create_merchant(
    data: MerchantIn,
    *,
    merchant_id: str | None = None,
    credentials: dict[Mode, tuple[str, str]] | None = None,
    webhook_secret: str | None = None,
) -> CreatedMerchant:
    """A merchant with a key pair and a webhook secret per mode; ``webhook_secret`` is the test one."""
    _check_webhook_urls(data)
    now = clock.iso_now()
    pairs = credentials or {}
    pairs = {mode: pairs.get(mode) or keys.new_key_pair(mode) for mode in ("test", "live")}
    profile: dict[str, Any] = {
        "id": merchant_id or new_id("mer"),
        "name": data.name,
        "email": data.email.lower(),
        "status": "active",
        "webhook_url": data.webhook_url,
        "webhook_secret": webhook_secret or keys.new_webhook_secret(),
        "live_webhook_url": data.live_webhook_url,
        "live_webhook_secret": keys.new_webhook_secret(),
        "session_epoch": 0,
        "created_at": now,
        "updated_at": now,
    }
    if data.password is not None:
        profile["password_hash"] = passwords.hash_password(data.password.get_secret_value())
    key_items = [
        {"mode": mode, "key_id": key_id, "secret_hash": keys.secret_hash(secret), "created_at": now}
        for mode, (key_id, secret) in pairs.items()
    ]
    store.put_new_merchant(profile, key_items)
    return CreatedMerchant(
        **_public(profile),
        keys=[
            ApiKeyCredentials(mode=mode, key_id=key_id, key_secret=secret)  # type: ignore[arg-type]
            for mode, (key_id, secret) in pairs.items()
        ],
        webhook_secret=profile["webhook_secret"],
        live_webhook_secret=profile["live_webhook_secret"],
    )


def seed_test_merchant() -> bool:
    """The documented test merchant (DESIGN.md section 5). False when it already exists."""
    try:
        create_merchant(
            MerchantIn(name="Test Merchant", email=SEED_EMAIL, password=SEED_PASSWORD),  # type: ignore[arg-type]
            merchant_id=derived_id("mer", "seed", SEED_EMAIL),
            credentials={"test": (SEED_KEY_ID, SEED_SECRET)},
            webhook_secret=SEED_WEBHOOK_SECRET,
        )
    except Conflict:
        return False
    return True


def get_merchant(merchant_id: str) -> Merchant:
    found = store.get_merchant(merchant_id)
    if not found:
        raise NotFound(f"no merchant {merchant_id}", "id")
    return Merchant(**_public(found))


def list_merchants(limit: int, offset: int) -> MerchantList:
    page = store.list_merchants(limit, offset)
    items = [Merchant(**_public(item)) for item in page.items]
    return MerchantList.of(items, page.has_more)


def update_merchant(merchant_id: str, update: MerchantUpdate) -> Merchant:
    """The admin's edit. A new (or removed) password or a suspension ends every dashboard session of
    the merchant; a webhook URL is checked by its mode's rules before anything is written."""
    _check_webhook_urls(update)
    found = store.get_merchant(merchant_id)
    if not found:
        raise NotFound(f"no merchant {merchant_id}", "id")
    changes = update.model_dump(exclude_unset=True, exclude={"password"})
    if "password" in update.model_fields_set:
        password = update.password
        changes["password_hash"] = passwords.hash_password(password.get_secret_value()) if password else None
    changes["updated_at"] = clock.iso_now()
    end_sessions = "password_hash" in changes or changes.get("status") == "suspended"
    store.update_merchant(
        merchant_id,
        changes,
        found.get("key_hashes", []),
        unless_set=_secrets_for(changes),
        end_sessions=end_sessions,
    )
    return Merchant(**_public({**found, **changes}))


def set_webhook_url(merchant_id: str, mode: Mode, url: str | None) -> dict[str, Any]:
    """Set (or clear, with None) the merchant's own webhook URL of ``mode`` only; the URL must already
    have passed ``check_url`` for that mode. Returns the profile as written."""
    changes: dict[str, Any] = {own_webhook.URL_FIELDS[mode]: url, "updated_at": clock.iso_now()}
    return store.update_profile(merchant_id, changes, _secrets_for(changes))


def _check_webhook_urls(data: MerchantIn | MerchantUpdate) -> None:
    """Each mode's URL by that mode's rules (``webhook_url`` is test mode's, ``live_webhook_url`` live's):
    no private, link-local or metadata address in either; live mode also https to a public host only
    (test mode allows http and loopback, for a receiver on the developer's machine)."""
    for mode, field in own_webhook.URL_FIELDS.items():
        url = getattr(data, field)
        if url is not None:
            check_url(url, mode, field=field)


def _secrets_for(changes: dict[str, Any]) -> dict[str, str]:
    """A fresh secret for each mode whose URL is being set, written only if that mode has none yet."""
    return {
        own_webhook.SECRET_FIELDS[mode]: keys.new_webhook_secret()
        for mode, field in own_webhook.URL_FIELDS.items()
        if changes.get(field)
    }


def authenticate(key_id: str | None, secret: str | None) -> Principal:
    """The caller of a merchant route. 401 for missing or wrong credentials, 403 when suspended."""
    if not secret:
        raise Unauthorized("missing API credentials: send X-Api-Key and X-Api-Secret, or a Bearer secret")
    found = store.get_api_key(keys.secret_hash(secret))
    if not found or (key_id is not None and key_id != found["key_id"]):
        raise Unauthorized("invalid API key or secret")
    if found.get("status") != "active":
        raise Forbidden("this merchant account is suspended")
    return Principal(merchant_id=found["merchant_id"], mode=found["mode"], key_id=found["key_id"])


def api_keys(merchant_id: str) -> list[ApiKey]:
    """The merchant's current key ids, test first (secrets are stored hashed: never shown again)."""
    profile = _profile(merchant_id)
    found = store.get_api_keys(profile.get("key_hashes", []))
    listed = [
        ApiKey(mode=k["mode"], key_id=k["key_id"], created_at=k.get("created_at") or profile["created_at"])
        for k in found
    ]
    return sorted(listed, key=lambda k: k.mode != "test")


def regenerate_api_key(merchant_id: str, mode: Mode) -> ApiKeyCredentials:
    """A new key pair for ``mode``; the old pair stops working in the same transaction."""
    profile = _profile(merchant_id)
    hashes = profile.get("key_hashes", [])
    old = next((k for k in store.get_api_keys(hashes) if k["mode"] == mode), None)
    if old is None:
        raise NotFound(f"no {mode} API key for merchant {merchant_id}", "mode")
    key_id, secret = keys.new_key_pair(mode)
    now = clock.iso_now()
    new_key = {"mode": mode, "key_id": key_id, "secret_hash": keys.secret_hash(secret), "created_at": now}
    store.replace_api_key(profile, old["pk"].removeprefix("APIKEY#"), new_key, now)
    return ApiKeyCredentials(mode=mode, key_id=key_id, key_secret=secret)  # type: ignore[arg-type]


def _profile(merchant_id: str) -> dict[str, Any]:
    found = store.get_merchant(merchant_id)
    if not found:
        raise NotFound(f"no merchant {merchant_id}", "id")
    return found


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item.get(name) for name in Merchant.model_fields}
