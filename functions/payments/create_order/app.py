"""POST /api/v1/orders: create an order (idempotent with Idempotency-Key)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.payments import service
from paygate.payments.models import Order, OrderIn

app = build_resolver()


@app.post("/api/v1/orders")
def create_order(order: Annotated[OrderIn, Body()]) -> Response[Order]:
    return idempotent(app, scope(app), order, lambda: service.create_order(principal(app), order))


handler = lambda_handler(app, auth.merchant)
