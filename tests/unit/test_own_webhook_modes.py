"""The merchant's own webhook per mode, on moto: what each mode reads and writes, where its events go
and with which secret, and how a profile from before per-mode settings reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from paygate.core import dynamo
from paygate.core.errors import BadRequest
from paygate.dashboard import service as dashboard
from paygate.dashboard.models import WebhookSettingsUpdate
from paygate.merchants import service as merchants
from paygate.merchants import store
from paygate.merchants.models import MerchantIn, MerchantUpdate, Principal
from paygate.webhooks import service as webhooks

from tests.unit.merchants_world import merchants_world

TEST_URL = "http://127.0.0.1:9/test-hook"
LIVE_URL = "https://93.184.215.14/live-hook"  # a public address literal: no DNS needed


@pytest.fixture(autouse=True)
def world() -> Iterator[None]:
    with merchants_world():
        yield


def _as(merchant_id: str, mode: str) -> Principal:
    return Principal(merchant_id=merchant_id, mode=mode, key_id=f"key_{mode}_x")  # type: ignore[arg-type]


def _event(merchant_id: str, mode: str) -> dict[str, Any]:
    return {"id": "evt_1", "type": "order.created", "merchantid": merchant_id, "mode": mode}


def test_each_mode_has_its_own_url_and_secret() -> None:
    created = merchants.create_merchant(
        MerchantIn(name="Shop", email="shop@example.com", webhook_url=TEST_URL, live_webhook_url=LIVE_URL)
    )
    test_secret = created.webhook_secret.get_secret_value()
    live_secret = created.live_webhook_secret.get_secret_value()
    assert test_secret != live_secret
    # Then each mode's target and fan-out use that mode's URL and secret only
    assert webhooks.target(created.id, "default", "test") == (TEST_URL, test_secret, True)
    assert webhooks.target(created.id, "default", "live") == (LIVE_URL, live_secret, True)
    assert webhooks.target(created.id, "default") is None  # no mode: nothing (never the other mode's)
    assert ("default", LIVE_URL) in webhooks.subscribers(_event(created.id, "live"))
    assert ("default", TEST_URL) in webhooks.subscribers(_event(created.id, "test"))
    # and the dashboard settings of each mode show that mode's pair
    assert dashboard.webhook_settings(_as(created.id, "test")).model_dump() == {
        "webhook_url": TEST_URL,
        "webhook_secret": test_secret,
    }
    assert dashboard.webhook_settings(_as(created.id, "live")).webhook_secret == live_secret


def test_a_test_caller_changes_the_test_url_only() -> None:
    created = merchants.create_merchant(
        MerchantIn(name="Shop", email="shop@example.com", live_webhook_url=LIVE_URL)
    )
    changed = dashboard.update_webhook_settings(
        _as(created.id, "test"), WebhookSettingsUpdate(webhook_url=TEST_URL)
    )
    assert changed.webhook_url == TEST_URL
    assert dashboard.webhook_settings(_as(created.id, "live")).webhook_url == LIVE_URL
    cleared = dashboard.update_webhook_settings(
        _as(created.id, "live"), WebhookSettingsUpdate(webhook_url=None)
    )
    assert (
        cleared.webhook_url is None
        and cleared.webhook_secret == created.live_webhook_secret.get_secret_value()
    )
    assert dashboard.webhook_settings(_as(created.id, "test")).webhook_url == TEST_URL


def test_a_profile_from_before_modes_reads_as_test_and_mints_a_live_secret_with_its_first_url() -> None:
    # Given a profile as written before settings were per mode (one URL, one secret)
    created = merchants.create_merchant(MerchantIn(name="Old", email="old@example.com"))
    key = store.merchant_key(created.id)
    boto3.client("dynamodb").update_item(
        TableName="world-MerchantsTable",
        Key=dynamo.to_item(key),
        UpdateExpression="SET webhook_url = :url, webhook_secret = :secret REMOVE live_webhook_url, "
        "live_webhook_secret, session_epoch",
        ExpressionAttributeValues=dynamo.values(url=TEST_URL, secret="whsec_legacy"),
    )
    # Then its URL and secret are test mode's, and live mode has none: no live event goes there
    assert webhooks.target(created.id, "default", "test") == (TEST_URL, "whsec_legacy", True)
    assert webhooks.target(created.id, "default", "live") is None
    assert webhooks.subscribers(_event(created.id, "live")) == []
    live = dashboard.webhook_settings(_as(created.id, "live"))
    assert (live.webhook_url, live.webhook_secret) == (None, None)
    # When live mode gets its first URL, a live secret of its own is minted, and kept after
    first = dashboard.update_webhook_settings(
        _as(created.id, "live"), WebhookSettingsUpdate(webhook_url=LIVE_URL)
    )
    assert (
        first.webhook_secret
        and first.webhook_secret.startswith("whsec_")
        and first.webhook_secret != "whsec_legacy"
    )
    again = merchants.update_merchant(created.id, MerchantUpdate(live_webhook_url=LIVE_URL + "2"))
    assert again.live_webhook_url == LIVE_URL + "2"
    assert webhooks.target(created.id, "default", "live") == (LIVE_URL + "2", first.webhook_secret, True)
    assert webhooks.target(created.id, "default", "test") == (TEST_URL, "whsec_legacy", True)


@pytest.mark.parametrize(
    ("field", "url"),
    [
        ("webhook_url", "http://10.0.0.7/hook"),
        ("webhook_url", "http://169.254.169.254/latest/meta-data/"),
        ("live_webhook_url", "https://127.0.0.1/hook"),
        ("live_webhook_url", "http://93.184.215.14/hook"),  # live mode: https only
    ],
)
def test_the_admin_urls_are_checked_by_their_modes_rules_and_nothing_is_written(field: str, url: str) -> None:
    created = merchants.create_merchant(MerchantIn(name="Shop", email="shop@example.com"))
    before = store.get_merchant(created.id)
    with pytest.raises(BadRequest) as refused:
        merchants.update_merchant(created.id, MerchantUpdate(name="Changed", **{field: url}))
    assert refused.value.field == field
    assert store.get_merchant(created.id) == before
    with pytest.raises(BadRequest) as refused:
        merchants.create_merchant(MerchantIn(name="New", email="new@example.com", **{field: url}))
    assert refused.value.field == field
    assert store.merchant_id_for_email("new@example.com") is None


def test_the_seed_keeps_its_documented_test_secret() -> None:
    assert merchants.seed_test_merchant()
    seed = store.get_merchant(store.merchant_id_for_email(merchants.SEED_EMAIL) or "")
    assert seed is not None
    assert seed["webhook_secret"] == merchants.SEED_WEBHOOK_SECRET
    assert (
        seed["live_webhook_secret"].startswith("whsec_")
        and seed["live_webhook_secret"] != seed["webhook_secret"]
    )
