"""POST /api/v1/payments/{payment_id}/capture: capture a successful payment, once."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.payments import service
from paygate.payments.models import CaptureIn, Payment

app = build_resolver()


@app.post("/api/v1/payments/<payment_id>/capture")
def capture_payment(payment_id: str, capture: Annotated[CaptureIn, Body()]) -> Response[Payment]:
    return idempotent(
        app,
        scope(app),
        {"id": payment_id, **capture.model_dump(mode="json")},
        lambda: service.capture_payment(principal(app), payment_id, capture),
        status=200,
    )


handler = lambda_handler(app, auth.merchant)
