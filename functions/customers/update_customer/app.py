"""PATCH /api/v1/customers/{customer_id}: the fields sent change; null clears an optional field."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.customers import service
from paygate.customers.models import Customer, CustomerUpdate

app = build_resolver()


@app.patch("/api/v1/customers/<customer_id>")
def update_customer(customer_id: str, update: Annotated[CustomerUpdate, Body()]) -> Customer:
    return service.update_customer(principal(app), customer_id, update)


handler = lambda_handler(app, auth.merchant)
