"""GET /api/v1/orders: the merchant's orders, newest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.payments import service
from paygate.payments.models import OrderList

app = build_resolver()


@app.get("/api/v1/orders")
def list_orders(
    limit: Annotated[int, Query(ge=1, le=100)] = 10, offset: Annotated[int, Query(ge=0)] = 0
) -> OrderList:
    return service.list_orders(principal(app), limit, offset)


handler = lambda_handler(app, auth.merchant)
