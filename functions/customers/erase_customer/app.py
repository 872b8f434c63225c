"""POST /api/v1/customers/{customer_id}/erase: erase the customer's personal data (idempotent; audited).

The customer and its payment methods here; its payments, refunds, orders and intents follow from the
``customer.erased`` event (ErasePaymentsPii): the answer says ``status: pending`` until then."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.privacy import service
from paygate.privacy.models import EraseIn, Erasure

app = build_resolver()


@app.post("/api/v1/customers/<customer_id>/erase")
def erase_customer(customer_id: str, erase: Annotated[EraseIn, Body()]) -> Response[Erasure]:
    return idempotent(
        app,
        scope(app),
        {"id": customer_id, **erase.model_dump(mode="json")},
        lambda: service.erase_customer(principal(app), customer_id),
        status=200,
    )


handler = lambda_handler(app, auth.merchant)
