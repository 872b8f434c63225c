"""GET /api/v1/customers/{customer_id}/payment_methods: the customer's saved methods, newest first."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.vault import payment_methods
from paygate.vault.methods_models import PaymentMethodList

app = build_resolver()


@app.get("/api/v1/customers/<customer_id>/payment_methods")
def list_customer_payment_methods(
    customer_id: str,
    type: Annotated[Literal["card", "upi"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PaymentMethodList:
    return payment_methods.list_for_customer(principal(app), customer_id, type, limit, offset)


handler = lambda_handler(app, auth.merchant)
