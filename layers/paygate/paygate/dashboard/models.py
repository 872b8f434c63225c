"""Dashboard shapes: login, the session's merchant, overview figures, credentials, webhook settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from paygate.merchants.models import ApiKey, MerchantStatus, Mode
from paygate.webhooks.models import URL_PATTERN


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(_Request):
    email: str = Field(min_length=3, max_length=254)
    password: SecretStr = Field(min_length=1, max_length=1024)
    mode: Mode = "test"


class SessionMerchant(BaseModel):
    id: str
    name: str
    email: str
    status: MerchantStatus
    webhook_url: str | None = None
    """The session's mode's own webhook URL."""


class DashboardSession(BaseModel):
    """What login and ``GET /dashboard/me`` answer: who is logged in, in which mode."""

    merchant: SessionMerchant
    mode: Mode


class OverviewTotals(BaseModel):
    count: int
    succeeded: int
    failed: int
    pending: int
    amount: int
    success_rate: float | None


class OverviewDay(BaseModel):
    date: str
    count: int
    succeeded: int
    amount: int
    success_rate: float | None


class Overview(BaseModel):
    currency: str
    days: int
    totals: OverviewTotals
    daily: list[OverviewDay]
    truncated: bool = False
    """True when the window held more payments than the overview reads (see ``OVERVIEW_CAP``)."""


class Credentials(BaseModel):
    keys: list[ApiKey]


class RegenerateIn(_Request):
    mode: Mode


class WebhookSettings(BaseModel):
    """The merchant's own webhook of the caller's mode. ``webhook_secret`` is null only for a live mode
    that never had a URL on a profile older than per-mode settings: it is minted with the first URL."""

    webhook_url: str | None
    webhook_secret: str | None


class WebhookSettingsUpdate(_Request):
    webhook_url: str | None = Field(max_length=2048, pattern=URL_PATTERN)
