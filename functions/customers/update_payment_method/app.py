"""PATCH /api/v1/payment_methods/{payment_method_id}: a card's new expiry, billing details, metadata."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.vault import payment_methods
from paygate.vault.methods_models import PaymentMethod, PaymentMethodUpdate

app = build_resolver()


@app.patch("/api/v1/payment_methods/<payment_method_id>")
def update_payment_method(
    payment_method_id: str, change: Annotated[PaymentMethodUpdate, Body()]
) -> PaymentMethod:
    return payment_methods.update(principal(app), payment_method_id, change)


handler = lambda_handler(app, auth.merchant)
