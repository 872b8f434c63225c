"""GET /api/v1/customers/{customer_id}/payments: the payments made for a customer, newest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.payments import service
from paygate.payments.models import PaymentList

app = build_resolver()


@app.get("/api/v1/customers/<customer_id>/payments")
def list_customer_payments(
    customer_id: str, limit: Annotated[int, Query(ge=1, le=100)] = 10, offset: Annotated[int, Query(ge=0)] = 0
) -> PaymentList:
    return service.list_customer_payments(principal(app), customer_id, limit, offset)


handler = lambda_handler(app, auth.merchant)
