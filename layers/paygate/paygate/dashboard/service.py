"""Dashboard use cases: log in and out, who is logged in, the overview, API keys, webhook settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from paygate.core import clock
from paygate.core.errors import Forbidden, InvalidCredentials
from paygate.dashboard import login_limits, sessions
from paygate.dashboard.models import (
    Credentials,
    DashboardSession,
    LoginIn,
    Overview,
    OverviewDay,
    OverviewTotals,
    SessionMerchant,
    WebhookSettings,
    WebhookSettingsUpdate,
)
from paygate.merchants import own_webhook, passwords
from paygate.merchants import service as merchants
from paygate.merchants import store as merchants_store
from paygate.merchants.models import ApiKeyCredentials, Mode, Principal
from paygate.payments import store as payments_store
from paygate.webhooks import service as webhooks
from paygate.webhooks.models import Delivery
from paygate.webhooks.urls import check_url

OVERVIEW_CAP = 5_000
SUCCEEDED = ("success", "captured", "refunded")


# --- sessions -----------------------------------------------------------------------------------
def login(data: LoginIn, client_ip: str | None) -> tuple[DashboardSession, str]:
    """The session and its token.

    First the attempt is counted against the email and the client's IP (429 past a limit, see
    ``login_limits``). Then, whatever the email and password, both reads happen and one argon2
    verification runs, and only then is the answer chosen: unknown email and wrong password are the
    same 401; a suspended account is the same 403 whether the password is right or wrong (and its
    attempts stay counted either way), so no answer tells a right password from a wrong one.
    """
    email = data.email.strip().lower()
    counted = login_limits.admit(email, client_ip or "unknown")
    merchant_id = merchants_store.merchant_id_for_email(email)
    profile = merchants_store.get_merchant(merchant_id or "-")
    password_hash = profile.get("password_hash") if profile else None
    right = passwords.verify(password_hash, data.password.get_secret_value())
    if profile is not None and profile.get("status") != "active":
        raise Forbidden("this merchant account is suspended")
    if not right or profile is None:
        raise InvalidCredentials("wrong email or password")
    login_limits.succeeded(counted)
    token = sessions.start(profile["id"], data.mode, sessions.epoch_of(profile))
    return _session(profile, data.mode), token


def logout(token: str | None) -> None:
    sessions.end(token)


def current(principal: Principal) -> DashboardSession:
    return _session(_profile(principal), principal.mode)


def _session(profile: dict[str, Any], mode: Mode) -> DashboardSession:
    merchant = SessionMerchant.model_validate({**profile, "webhook_url": own_webhook.url_of(profile, mode)})
    return DashboardSession(merchant=merchant, mode=mode)


def _profile(principal: Principal) -> dict[str, Any]:
    found = merchants_store.get_merchant(principal.merchant_id)
    if found is None:  # authenticated a moment ago, so only a deleted merchant gets here
        raise InvalidCredentials("the merchant no longer exists")
    return found


# --- overview -----------------------------------------------------------------------------------
def overview(principal: Principal, days: int, currency: str = "INR") -> Overview:
    """Payment figures of the last ``days`` days (UTC, today included) in one currency.

    This reads the payments themselves: one gsi1 query over the merchant+mode listing, bounded by
    ``created_at``, reading at most ``OVERVIEW_CAP`` (5 000) payments; beyond that the answer says
    ``truncated: true`` and counts only the newest 5 000. That is plenty for a dashboard in test and
    for small merchants; the scaling path is a daily aggregate item per merchant, mode and currency,
    kept by a consumer of the payments stream (ADD counters on each status change), so the overview
    becomes ``days`` GetItems whatever the volume.
    """
    today = clock.now().date()
    first = today - timedelta(days=days - 1)
    page = payments_store.list_for_merchant(
        principal.merchant_id,
        principal.mode,
        "payment",
        limit=OVERVIEW_CAP,
        offset=0,
        created_between=(first.isoformat(), "9999"),
        filters={"currency": currency},
    )
    buckets = {(first + timedelta(days=n)).isoformat(): _Tally() for n in range(days)}
    totals = _Tally()
    for payment in page.items:
        bucket = buckets.get(str(payment.get("created_at", ""))[:10])
        if bucket is None:  # created after "today" by a skewed clock
            continue
        for tally in (bucket, totals):
            tally.add(payment)
    return Overview(
        currency=currency,
        days=days,
        totals=OverviewTotals(
            count=totals.count,
            succeeded=totals.succeeded,
            failed=totals.failed,
            pending=totals.pending,
            amount=totals.amount,
            success_rate=totals.success_rate(),
        ),
        daily=[
            OverviewDay(
                date=day,
                count=t.count,
                succeeded=t.succeeded,
                amount=t.amount,
                success_rate=t.success_rate(),
            )
            for day, t in buckets.items()
        ],
        truncated=page.has_more,
    )


class _Tally:
    """Counts of one day (or the window). ``amount`` is the gross of succeeded payments (succeeded,
    captured or later refunded); the success rate is succeeded / (succeeded + failed), null when none
    was decided yet."""

    def __init__(self) -> None:
        self.count = self.succeeded = self.failed = self.pending = self.amount = 0

    def add(self, payment: dict[str, Any]) -> None:
        self.count += 1
        status = payment.get("status")
        if status in SUCCEEDED:
            self.succeeded += 1
            self.amount += int(payment.get("amount", 0))
        elif status == "failed":
            self.failed += 1
        elif status == "pending":
            self.pending += 1

    def success_rate(self) -> float | None:
        decided = self.succeeded + self.failed
        return round(self.succeeded / decided, 4) if decided else None


# --- credentials --------------------------------------------------------------------------------
def credentials(principal: Principal) -> Credentials:
    """The key ids of the merchant. An API key sees its own mode's only (a test key learns nothing of
    live mode); a dashboard session, the account owner by password who may log in to either mode,
    sees both ids (ids, never secrets), its own mode's marked by the page."""
    found = merchants.api_keys(principal.merchant_id)
    if principal.key_id != sessions.PRINCIPAL_KEY_ID:
        found = [key for key in found if key.mode == principal.mode]
    return Credentials(keys=found)


def regenerate(principal: Principal, mode: Mode) -> ApiKeyCredentials:
    """A new key pair for ``mode``, the caller's own mode only: a test key (or a test-mode session)
    cannot break live traffic; the live key is renewed from a live-mode session or with the live key."""
    if mode != principal.mode:
        caller = "session" if principal.key_id == sessions.PRINCIPAL_KEY_ID else "API key"
        raise Forbidden(f"a {principal.mode}-mode {caller} cannot regenerate the {mode} key", "mode")
    return merchants.regenerate_api_key(principal.merchant_id, mode)


# --- webhook settings ---------------------------------------------------------------------------
def webhook_settings(principal: Principal) -> WebhookSettings:
    """The caller's mode's own webhook URL and secret, never the other mode's."""
    return _settings(_profile(principal), principal.mode)


def update_webhook_settings(principal: Principal, data: WebhookSettingsUpdate) -> WebhookSettings:
    """The merchant's own webhook URL (the ``default`` endpoint) of the caller's mode only; ``null``
    stops those deliveries. URL rules of webhook endpoints, for that mode (test mode allows http and
    loopback; live mode public https only, checked again when each delivery is sent)."""
    if data.webhook_url is not None:
        check_url(data.webhook_url, principal.mode, field="webhook_url")
    profile = merchants.set_webhook_url(principal.merchant_id, principal.mode, data.webhook_url)
    return _settings(profile, principal.mode)


def send_test_webhook(principal: Principal) -> Delivery:
    return webhooks.ping_default(principal)


def _settings(profile: dict[str, Any], mode: Mode) -> WebhookSettings:
    return WebhookSettings(
        webhook_url=own_webhook.url_of(profile, mode), webhook_secret=own_webhook.secret_of(profile, mode)
    )
