"""Setup intents (Stripe's SetupIntent, ``seti_…``): save a payment method to a customer without charging,
with the customer's mandate for later off-session payments (docs/payment-methods.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from paygate.core.errors import BadRequest
from paygate.core.pages import Page
from paygate.payments.models import RETURN_URL_PATTERN, MandateDataIn, Metadata, NextAction
from paygate.vault.methods_models import CUSTOMER_PATTERN, PM_PATTERN, Mandate, PaymentMethodIn

SetupStatus = Literal[
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "succeeded",
    "canceled",
]
Usage = Literal["off_session", "on_session"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SetupIntentIn(_Request):
    customer: str = Field(pattern=CUSTOMER_PATTERN, description="the customer the method is saved to")
    payment_method: str | None = Field(default=None, pattern=PM_PATTERN)
    usage: Usage = "off_session"
    description: str | None = Field(default=None, max_length=1000)
    metadata: Metadata = {}


class SetupConfirmIn(_Request):
    payment_method: str | None = Field(
        default=None, pattern=PM_PATTERN, description="a method to verify and save"
    )
    payment_method_data: PaymentMethodIn | None = Field(
        default=None, description="or the method's details (a card or a VPA): a new method is created"
    )
    mandate_data: MandateDataIn | None = Field(default=None, description="required when usage is off_session")
    return_url: str | None = Field(default=None, max_length=2048, pattern=RETURN_URL_PATTERN)

    def check(self) -> None:
        if self.payment_method is not None and self.payment_method_data is not None:
            raise BadRequest("give payment_method or payment_method_data, not both", "payment_method_data")
        if self.payment_method_data is not None:
            if self.payment_method_data.customer is not None:
                raise BadRequest("the setup intent names the customer", "payment_method_data.customer")
            self.payment_method_data.check_details()
        if self.mandate_data is not None:
            self.mandate_data.check()


class SetupError(BaseModel):
    code: str
    message: str


class SetupIntent(BaseModel):
    id: str
    object: Literal["setup_intent"] = "setup_intent"
    customer: str
    payment_method: str | None = None
    status: SetupStatus
    usage: Usage
    description: str | None = None
    metadata: dict[str, Any] = {}
    next_action: NextAction | None = None
    last_setup_error: SetupError | None = None
    mandate: Mandate | None = None
    latest_attempt: str | None = Field(
        default=None, description="the card verification's id, when there was one"
    )
    canceled_at: str | None = None
    mode: str
    created_at: str
    updated_at: str


SetupIntentList = Page[SetupIntent]
