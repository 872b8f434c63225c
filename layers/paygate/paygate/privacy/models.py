"""Privacy shapes: the export of a customer, the erase request and its answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from paygate.customers.models import Customer
from paygate.payments.models import Order, Payment, PaymentIntent
from paygate.payments.setup_intent_models import SetupIntent
from paygate.refunds.models import Refund
from paygate.vault.methods_models import PaymentMethod


class CustomerExport(BaseModel):
    """Everything the gateway holds about a customer, as the API shows it: nothing secret (no card
    token, card number or CVC: the API's objects never carry them)."""

    object: Literal["customer_export"] = "customer_export"
    exported_at: str
    customer: Customer
    payment_methods: list[PaymentMethod] = Field(description="attached and detached, newest first")
    payments: list[Payment]
    refunds: list[Refund]
    orders: list[Order]
    payment_intents: list[PaymentIntent]
    setup_intents: list[SetupIntent]


class EraseIn(BaseModel):
    """``POST /customers/{id}/erase`` takes no fields (an empty object, or no body)."""

    model_config = ConfigDict(extra="forbid")


class Erasure(BaseModel):
    object: Literal["customer_erasure"] = "customer_erasure"
    customer: str
    status: Literal["pending", "complete"] = Field(
        description="pending until the customer's payments, refunds, orders and intents, and the webhook "
        "events stored about it, have lost their personal data too (two background jobs); GET …/export "
        "then shows customer.erasure complete"
    )
    erased_at: str
    payment_methods_erased: int = Field(description="payment methods this request deleted (0 on a repeat)")
