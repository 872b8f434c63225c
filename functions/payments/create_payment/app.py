"""POST /api/v1/payments: start a payment on an order; 201 pending, the outcome comes asynchronously."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.payments import service
from paygate.payments.models import Payment, PaymentIn

app = build_resolver()


@app.post("/api/v1/payments")
def create_payment(payment: Annotated[PaymentIn, Body()]) -> Response[Payment]:
    return idempotent(app, scope(app), payment, lambda: service.create_payment(principal(app), payment))


handler = lambda_handler(app, auth.merchant)
