"""Saved payment methods (Stripe's PaymentMethod, ``pm_…``): the requests and the object the API returns.

A method is a card (its PAN and CVC in the vault under ``card_token``; here only what may be shown) or
a UPI VPA. A mandate records the customer's acceptance of later off-session charges (docs/payment-methods.md).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator

from paygate.core.errors import BadRequest
from paygate.core.pages import Page
from paygate.payments import methods
from paygate.payments.models import CardIn, Metadata

MethodType = Literal["card", "upi"]
PM_PATTERN = r"^pm_[0-9A-Za-z]{14}$"
CUSTOMER_PATTERN = r"^cus_[0-9A-Za-z]{14}$"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UpiIn(_Request):
    vpa: str = Field(max_length=320)

    @field_validator("vpa")
    @classmethod
    def _vpa(cls, value: str) -> str:
        if not methods.vpa_ok(value):
            raise ValueError("vpa must look like user@bank")
        return value


class AddressIn(_Request):
    line1: str | None = Field(default=None, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class BillingDetails(_Request):
    name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$")
    address: AddressIn | None = None


class PaymentMethodIn(_Request):
    """``POST /api/v1/payment_methods``: a card or a UPI VPA, optionally attached to a customer at once."""

    type: MethodType
    card: CardIn | None = None
    upi: UpiIn | None = None
    billing_details: BillingDetails | None = None
    metadata: Metadata = {}
    customer: str | None = Field(default=None, pattern=CUSTOMER_PATTERN)

    def check_details(self) -> None:
        """The details of ``type`` and no other (raised naming the field to fix)."""
        wanted, other = ("card", "upi") if self.type == "card" else ("upi", "card")
        if getattr(self, wanted) is None:
            raise BadRequest(f"a {self.type} payment method needs {wanted}", wanted)
        if getattr(self, other) is not None:
            raise BadRequest(f"a {self.type} payment method takes no {other}", other)


class CardUpdate(_Request):
    expiry_month: Annotated[int, Strict(), Field(ge=1, le=12)]
    expiry_year: Annotated[int, Strict(), Field(ge=2000, le=2100)]

    @field_validator("expiry_year")
    @classmethod
    def _not_expired(cls, year: int, info: Any) -> int:
        month = info.data.get("expiry_month")
        if month is not None and methods.expired(month, year):
            raise ValueError("card has expired")
        return year


class PaymentMethodUpdate(_Request):
    """``PATCH /api/v1/payment_methods/{id}``: a card's new expiry, billing details, metadata."""

    card: CardUpdate | None = None
    billing_details: BillingDetails | None = None
    metadata: Metadata | None = None


class AttachIn(_Request):
    customer: str = Field(pattern=CUSTOMER_PATTERN)


class SavedCard(BaseModel):
    network: str
    last4: str
    expiry_month: int
    expiry_year: int
    fingerprint: str = Field(
        description="the same card number has the same fingerprint (per merchant and mode)"
    )
    country: str | None = Field(
        default=None, description="the issuing country (ISO 3166-1 alpha-2), when known"
    )
    funding: str | None = Field(default=None, description="credit, debit or prepaid, when known")
    holder_name: str | None = None


class SavedUpi(BaseModel):
    vpa: str


class OnlineAcceptance(BaseModel):
    ip_address: str
    user_agent: str


class CustomerAcceptance(BaseModel):
    type: Literal["online", "offline"]
    accepted_at: str
    online: OnlineAcceptance | None = None


class Mandate(BaseModel):
    """The customer's permission to be charged later without being present (off session)."""

    id: str
    status: Literal["active", "inactive"]
    type: Literal["multi_use"] = "multi_use"
    customer_acceptance: CustomerAcceptance


class PaymentMethod(BaseModel):
    id: str
    object: Literal["payment_method"] = "payment_method"
    type: MethodType
    card: SavedCard | None = None
    upi: SavedUpi | None = None
    billing_details: dict[str, Any] = {}
    customer: str | None = None
    mandate: Mandate | None = None
    metadata: dict[str, Any] = {}
    mode: str
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, item: dict[str, Any]) -> PaymentMethod:
        return cls.model_validate({**item, "type": item["method_type"]})


PaymentMethodList = Page[PaymentMethod]
