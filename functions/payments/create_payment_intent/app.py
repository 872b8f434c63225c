"""POST /api/v1/payment_intents: a Stripe-style intent to collect an amount."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.payments import intents
from paygate.payments.models import IntentIn, PaymentIntent

app = build_resolver()


@app.post("/api/v1/payment_intents")
def create_payment_intent(intent: Annotated[IntentIn, Body()]) -> Response[PaymentIntent]:
    return idempotent(app, scope(app), intent, lambda: intents.create_intent(principal(app), intent))


handler = lambda_handler(app, auth.merchant)
