"""GET /api/v1/customers/{customer_id}/refunds: the refunds of a customer's payments, newest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.refunds import service
from paygate.refunds.models import RefundList

app = build_resolver()


@app.get("/api/v1/customers/<customer_id>/refunds")
def list_customer_refunds(
    customer_id: str, limit: Annotated[int, Query(ge=1, le=100)] = 10, offset: Annotated[int, Query(ge=0)] = 0
) -> RefundList:
    return service.list_customer_refunds(principal(app), customer_id, limit, offset)


handler = lambda_handler(app, auth.merchant)
