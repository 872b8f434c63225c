"""POST /api/v1/customers: a customer; 409 when its external_id is another customer's.

Idempotent with Idempotency-Key: a retry answers the first customer."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.customers import service
from paygate.customers.models import Customer, CustomerIn

app = build_resolver()


@app.post("/api/v1/customers")
def create_customer(customer: Annotated[CustomerIn, Body()]) -> Response[Customer]:
    return idempotent(app, scope(app), customer, lambda: service.create_customer(principal(app), customer))


handler = lambda_handler(app, auth.merchant)
