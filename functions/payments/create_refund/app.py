"""POST /api/v1/payments/{payment_id}/refunds: refund all or part of a successful payment."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.refunds import service
from paygate.refunds.models import Refund, RefundIn

app = build_resolver()


@app.post("/api/v1/payments/<payment_id>/refunds")
def create_refund(payment_id: str, refund: Annotated[RefundIn, Body()]) -> Response[Refund]:
    return idempotent(
        app,
        scope(app),
        {"id": payment_id, **refund.model_dump(mode="json")},
        lambda: service.create_refund(principal(app), payment_id, refund),
    )


handler = lambda_handler(app, auth.merchant)
