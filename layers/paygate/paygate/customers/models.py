"""Customer shapes (Stripe's field names): the create and update requests, and the object the API returns.

Stored items carry more (keys, version, the lower-cased email the search index uses); the output model
drops it. Metadata follows the same rules as an intent's (``paygate.payments.models.Metadata``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from paygate.core.pages import Page
from paygate.payments.models import Metadata

CUSTOMER_ID_PATTERN = r"^cus_[0-9A-Za-z]{14}$"
PAYMENT_METHOD_ID_PATTERN = r"^pm_[0-9A-Za-z]{14}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
"""E.164: a plus, a country code not starting with 0, at most 15 digits in all (7 at least: the
shortest numbers in use)."""
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
"""BCP 47-ish: a 2-3 letter language, then subtags (``en``, ``pt-BR``, ``zh-Hant-TW``)."""
EXTERNAL_ID_PATTERN = r"^[\x21-\x7e]{1,128}$"
"""The merchant's own id of the customer: 1-128 printable ASCII characters, no spaces."""

Email = Annotated[str, Field(max_length=254, pattern=EMAIL_PATTERN)]
Phone = Annotated[str, Field(max_length=16, pattern=E164_PATTERN, description="E.164, e.g. +919876543210")]
Name = Annotated[str, Field(min_length=1, max_length=256)]
Description = Annotated[str, Field(max_length=1000)]
ExternalId = Annotated[str, Field(pattern=EXTERNAL_ID_PATTERN, description="unique per merchant and mode")]
PaymentMethodId = Annotated[str, Field(pattern=PAYMENT_METHOD_ID_PATTERN)]
Language = Annotated[str, Field(max_length=35, pattern=LANGUAGE_PATTERN)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Preferences(_Request):
    """How the customer wants to be reached (communication preferences)."""

    email: StrictBool = True
    sms: StrictBool = False
    language: Language = "en"


class PreferencesUpdate(_Request):
    """A partial change of the preferences: the fields sent replace the stored ones."""

    email: StrictBool | None = None
    sms: StrictBool | None = None
    language: Language | None = None


class CustomerIn(_Request):
    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    description: Description | None = None
    metadata: Metadata = {}
    external_id: ExternalId | None = None
    preferences: Preferences = Field(default_factory=Preferences)
    default_payment_method: PaymentMethodId | None = Field(
        default=None, description="a payment method attached to this customer (so never on create)"
    )


class CustomerUpdate(_Request):
    """PATCH: only the fields sent change; ``null`` clears an optional field (``metadata``: to ``{}``,
    ``preferences``: back to the defaults)."""

    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    description: Description | None = None
    metadata: Metadata | None = None
    external_id: ExternalId | None = None
    preferences: PreferencesUpdate | None = None
    default_payment_method: PaymentMethodId | None = None


class Customer(BaseModel):
    id: str
    object: Literal["customer"] = "customer"
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    metadata: dict[str, Any] = {}
    external_id: str | None = None
    preferences: Preferences = Field(default_factory=Preferences)
    default_payment_method: str | None = None
    deleted: bool = False
    erased_at: str | None = Field(
        default=None, description="when the customer's personal data was erased (docs/privacy.md)"
    )
    erasure: Literal["pending", "complete"] | None = Field(
        default=None,
        description="pending until the payments, refunds, orders and intents made for the customer, and "
        "the webhook events stored about it, have lost their personal data too",
    )
    mode: str
    created_at: str
    updated_at: str


CustomerList = Page[Customer]
