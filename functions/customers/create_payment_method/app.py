"""POST /api/v1/payment_methods: save a card (into the vault) or a UPI VPA as a payment method."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.vault import payment_methods
from paygate.vault.methods_models import PaymentMethod, PaymentMethodIn

app = build_resolver()


@app.post("/api/v1/payment_methods")
def create_payment_method(method: Annotated[PaymentMethodIn, Body()]) -> Response[PaymentMethod]:
    return idempotent(app, scope(app), method, lambda: payment_methods.create(principal(app), method))


handler = lambda_handler(app, auth.merchant)
