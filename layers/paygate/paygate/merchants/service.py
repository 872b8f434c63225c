"""Merchant use cases: create (with test and live key pairs), list, update, authenticate, seed, and the
API keys of a merchant (list, regenerate one mode's pair)."""

from __future__ import annotations

from typing import Any

from paygate.core import clock
from paygate.core.errors import Conflict, Forbidden, NotFound, Unauthorized
from paygate.core.ids import derived_id, new_id
from paygate.merchants import keys, passwords, store
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
    found = store.get_merchant(merchant_id)
    if not found:
        raise NotFound(f"no merchant {merchant_id}", "id")
    changes = update.model_dump(exclude_unset=True, exclude={"password"})
    if "password" in update.model_fields_set:
        password = update.password
        changes["password_hash"] = passwords.hash_password(password.get_secret_value()) if password else None
    changes["updated_at"] = clock.iso_now()
    store.update_merchant(merchant_id, changes, found.get("key_hashes", []))
    return Merchant(**_public({**found, **changes}))


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
