"""Which events a state change is, and what each carries.

A stream record (old and new image of one object) maps to zero or more event types; ``data`` is the
object as the API returns it. The catalog follows the seed names (``order.paid``, ``payment.*``,
``refund.*``) and Stripe's for intents (``payment_intent.*``) and customers (``customer.*``: every
change of a customer is ``customer.updated``, its soft delete ``customer.deleted``, its privacy
erasure ``customer.erased``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from paygate.customers.models import Customer
from paygate.payments.models import Order, Payment, PaymentIntent
from paygate.payments.setup_intent_models import SetupIntent
from paygate.refunds.models import Refund

MODELS: dict[str, type[BaseModel]] = {
    "order": Order,
    "payment": Payment,
    "payment_intent": PaymentIntent,
    "refund": Refund,
    "setup_intent": SetupIntent,
    "customer": Customer,
}
CATALOG = (
    "order.created",
    "order.paid",
    "payment.created",
    "payment.pending",
    "payment.requires_action",  # 3-D Secure: the payer was sent to a challenge (docs/connectors.md)
    "payment.success",
    "payment.failed",
    "payment.captured",
    "refund.created",
    "refund.processed",
    "refund.failed",  # the provider refused it after all (provider webhooks: refund.failed)
    "payment_intent.created",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.requires_capture",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "setup_intent.created",
    "setup_intent.requires_action",  # the card asked for 3-D Secure (docs/payment-methods.md)
    "setup_intent.succeeded",  # the method is saved to the customer, with its mandate
    "setup_intent.setup_failed",
    "setup_intent.canceled",
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "customer.erased",  # its personal data erased (docs/privacy.md); the Payments context erases its own
)
_ON_CREATE = {
    "order": ("order.created",),
    "payment": ("payment.created", "payment.pending"),
    "refund": ("refund.created",),
    "payment_intent": ("payment_intent.created",),
    "setup_intent": ("setup_intent.created",),
    "customer": ("customer.created",),
}
_ON_STATUS = {
    ("order", "paid"): ("order.paid",),
    ("payment", "success"): ("payment.success",),
    ("payment", "failed"): ("payment.failed",),
    ("payment", "requires_action"): ("payment.requires_action",),
    ("refund", "processed"): ("refund.processed",),
    ("refund", "failed"): ("refund.failed",),
    ("payment_intent", "processing"): ("payment_intent.processing",),
    ("payment_intent", "requires_action"): ("payment_intent.requires_action",),
    ("payment_intent", "requires_capture"): ("payment_intent.requires_capture",),
    ("payment_intent", "succeeded"): ("payment_intent.succeeded",),
    ("payment_intent", "requires_payment_method"): ("payment_intent.payment_failed",),
    ("payment_intent", "canceled"): ("payment_intent.canceled",),
    ("setup_intent", "requires_action"): ("setup_intent.requires_action",),
    ("setup_intent", "succeeded"): ("setup_intent.succeeded",),
    ("setup_intent", "requires_payment_method"): ("setup_intent.setup_failed",),
    ("setup_intent", "canceled"): ("setup_intent.canceled",),
}


def event_types(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[str, ...]:
    """The events one write is. A payment captured as it succeeds (automatic capture) is both."""
    if not new or new.get("type") not in MODELS or new.get("setup_intent_id"):
        return ()  # a setup intent's card verification is announced by its setup intent alone
    kind, status = new["type"], new.get("status")
    if old is None:
        return _ON_CREATE[kind]
    if kind == "customer":  # no status: each new version is an update, the soft delete its own event
        if new.get("version") == old.get("version") or old.get("erased_at"):
            return ()  # an erased customer's later versions (its erasure completed) say nothing new
        if new.get("erased_at"):
            return ("customer.erased",)
        return (
            ("customer.deleted",) if new.get("deleted") and not old.get("deleted") else ("customer.updated",)
        )
    before = old.get("status")
    if status == before:
        return ()
    if kind == "payment" and status == "captured":
        undecided = before in ("pending", "requires_action")  # it succeeds as it is captured
        return ("payment.success", "payment.captured") if undecided else ("payment.captured",)
    return _ON_STATUS.get((kind, str(status)), ())


def api_view(item: dict[str, Any]) -> dict[str, Any]:
    return MODELS[item["type"]].model_validate(item).model_dump(mode="json")
