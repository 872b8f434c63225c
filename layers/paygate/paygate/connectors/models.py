"""Merchant connector configurations: which processor a merchant uses in a mode, with its credentials.

Credentials are write-only: they are validated per connector here, encrypted before they are stored
(``credentials.py``) and never answered; an answer shows a hint (the key's prefix and last four).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from paygate.core.pages import Page

ConnectorName = Literal["simulator", "stripe", "razorpay"]
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"

# Per connector: each credential field, whether it is required, and its pattern per mode (a test
# configuration takes test credentials only, a live one live credentials only).
CREDENTIAL_FIELDS: dict[str, dict[str, tuple[bool, dict[str, str]]]] = {
    "simulator": {},
    "stripe": {
        "api_key": (
            True,
            {"test": r"^(sk|rk)_test_[A-Za-z0-9]{8,247}$", "live": r"^(sk|rk)_live_[A-Za-z0-9]{8,247}$"},
        ),
        "webhook_secret": (
            False,
            {"test": r"^whsec_[A-Za-z0-9+/=]{8,250}$", "live": r"^whsec_[A-Za-z0-9+/=]{8,250}$"},
        ),
    },
    "razorpay": {
        "key_id": (True, {"test": r"^rzp_test_[A-Za-z0-9]{8,40}$", "live": r"^rzp_live_[A-Za-z0-9]{8,40}$"}),
        "key_secret": (True, {"test": r"^[A-Za-z0-9]{8,64}$", "live": r"^[A-Za-z0-9]{8,64}$"}),
        "webhook_secret": (False, {"test": r"^[\x21-\x7e]{8,128}$", "live": r"^[\x21-\x7e]{8,128}$"}),
    },
}


def check_credentials(connector: str, mode: str, credentials: dict[str, Any]) -> dict[str, str]:
    """The credentials, checked against the connector's fields and the mode; ValueError naming the
    field (``credentials.<name>``) otherwise. The message never repeats the value."""
    fields = CREDENTIAL_FIELDS[connector]
    unknown = sorted(set(credentials) - set(fields))
    if unknown:
        raise ValueError(f"credentials.{unknown[0]}: not a {connector} credential")
    checked: dict[str, str] = {}
    for name, (required, patterns) in fields.items():
        value = credentials.get(name)
        if value is None:
            if required:
                raise ValueError(f"credentials.{name}: required for {connector}")
            continue
        if not isinstance(value, str) or not re.fullmatch(patterns[mode], value):
            raise ValueError(
                f"credentials.{name}: not a valid {mode}-mode {connector} {name.replace('_', ' ')}"
            )
        checked[name] = value
    return checked


def hints(credentials: dict[str, str]) -> dict[str, str]:
    """What an answer may show of each credential: a key's public prefix and its last four characters."""
    shown = {}
    for name, value in credentials.items():
        prefix = re.match(r"^((?:sk|rk|rzp)_(?:test|live)_|whsec_)", value)
        shown[name] = f"{prefix.group(1) if prefix else ''}...{value[-4:]}"
    return shown


class ConnectorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connector: ConnectorName
    label: str | None = Field(default=None, max_length=64)
    credentials: dict[str, str] = Field(default_factory=dict, max_length=8)
    # a test deployment only (TEST_MODE): where the connector's SDK sends its calls (localstripe, the
    # Razorpay contract fake); a live deployment refuses it (the gateway's own calls are not redirectable)
    base_url: str | None = Field(default=None, max_length=2048, pattern=URL_PATTERN)
    enabled: bool = True


class ConnectorUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, max_length=64)
    credentials: dict[str, str] | None = Field(default=None, max_length=8)
    base_url: str | None = Field(default=None, max_length=2048, pattern=URL_PATTERN)
    enabled: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> ConnectorUpdate:
        if not self.model_fields_set:
            raise ValueError("nothing to change: give label, credentials, base_url or enabled")
        return self


class MerchantConnector(BaseModel):
    id: str
    entity: Literal["merchant_connector"] = "merchant_connector"
    connector: ConnectorName
    label: str | None = None
    mode: str
    enabled: bool
    credentials: dict[str, str] = Field(description="a hint of each credential; the values are never shown")
    base_url: str | None = None
    webhook_path: str = Field(description="where the provider sends its webhooks for this configuration")
    created_at: str
    updated_at: str


MerchantConnectorList = Page[MerchantConnector]
