"""Merchant shapes: what the admin API takes and returns, and who an authenticated caller is."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer

from paygate.core.pages import Page

Mode = Literal["test", "live"]
MerchantStatus = Literal["active", "suspended"]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class MerchantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    webhook_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")


class MerchantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: MerchantStatus | None = None
    name: str | None = Field(default=None, min_length=1, max_length=120)
    webhook_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")


class Merchant(BaseModel):
    id: str
    name: str
    email: str
    status: MerchantStatus
    webhook_url: str | None = None
    created_at: str
    updated_at: str


class ApiKeyCredentials(BaseModel):
    """A key pair as shown once, on creation. Only the secret's hash is stored."""

    mode: Mode
    key_id: str
    key_secret: SecretStr

    @field_serializer("key_secret", when_used="json")
    def _reveal(self, secret: SecretStr) -> str:
        return secret.get_secret_value()


class CreatedMerchant(Merchant):
    keys: list[ApiKeyCredentials]
    webhook_secret: SecretStr

    @field_serializer("webhook_secret", when_used="json")
    def _reveal(self, secret: SecretStr) -> str:
        return secret.get_secret_value()


MerchantList = Page[Merchant]


class Principal(BaseModel):
    """The merchant and mode a request acts for, from its API key."""

    merchant_id: str
    mode: Mode
    key_id: str
