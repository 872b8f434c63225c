"""Merchant shapes: what the admin API takes and returns, and who an authenticated caller is."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer, field_validator

from paygate.core.pages import Page
from paygate.core.shown_once import ShownOnce

Mode = Literal["test", "live"]
MerchantStatus = Literal["active", "suspended"]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PASSWORD_LENGTH = (8, 128)
WebhookUrl = Annotated[str | None, Field(max_length=2048, pattern=r"^https?://\S+$")]
"""Shape only: where it may point is checked per mode by ``paygate.webhooks.urls.check_url``."""


def _password_length(value: SecretStr | None) -> SecretStr | None:
    """Checked here rather than with Field(min_length): pydantic's message would call it "items"."""
    low, high = PASSWORD_LENGTH
    if value is not None and not low <= len(value.get_secret_value()) <= high:
        raise ValueError(f"password must be {low}-{high} characters")
    return value


class MerchantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    webhook_url: WebhookUrl = None
    """The merchant's own webhook in test mode (test-mode URL rules)."""
    live_webhook_url: WebhookUrl = None
    """The merchant's own webhook in live mode (live-mode URL rules: public https only)."""
    password: SecretStr | None = None
    """Dashboard login password, stored as an argon2id hash; without one the merchant cannot log in."""

    _check_password = field_validator("password")(_password_length)


class MerchantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: MerchantStatus | None = None
    name: str | None = Field(default=None, min_length=1, max_length=120)
    webhook_url: WebhookUrl = None
    """The test-mode webhook URL; ``null`` removes it."""
    live_webhook_url: WebhookUrl = None
    """The live-mode webhook URL; ``null`` removes it."""
    password: SecretStr | None = None
    """A new dashboard password; ``null`` removes it (no dashboard login). Ends every dashboard session,
    as a suspension does."""

    _check_password = field_validator("password")(_password_length)


class Merchant(BaseModel):
    id: str
    name: str
    email: str
    status: MerchantStatus
    webhook_url: str | None = None
    live_webhook_url: str | None = None
    created_at: str
    updated_at: str


class ApiKey(BaseModel):
    """A key as listed later: its id only, the secret being stored hashed."""

    mode: Mode
    key_id: str
    created_at: str


class ApiKeyCredentials(BaseModel):
    """A key pair as shown once, on creation. Only the secret's hash is stored."""

    mode: Mode
    key_id: str
    key_secret: ShownOnce

    @field_serializer("key_secret", when_used="json")
    def _reveal(self, secret: SecretStr) -> str:
        return secret.get_secret_value()


class CreatedMerchant(Merchant):
    keys: list[ApiKeyCredentials]
    webhook_secret: ShownOnce
    """Signs the test-mode events sent to ``webhook_url``."""
    live_webhook_secret: ShownOnce
    """Signs the live-mode events sent to ``live_webhook_url``."""

    @field_serializer("webhook_secret", "live_webhook_secret", when_used="json")
    def _reveal(self, secret: SecretStr) -> str:
        return secret.get_secret_value()


MerchantList = Page[Merchant]


class Principal(BaseModel):
    """The merchant and mode a request acts for, from its API key (or ``key_id="dashboard"``: a session)."""

    merchant_id: str
    mode: Mode
    key_id: str
