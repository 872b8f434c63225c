"""POST /api/v1/payment_intents/{intent_id}/capture: capture up to the authorised amount."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.payments import intents
from paygate.payments.models import IntentCaptureIn, PaymentIntent

app = build_resolver()


@app.post("/api/v1/payment_intents/<intent_id>/capture")
def capture_payment_intent(
    intent_id: str, capture: Annotated[IntentCaptureIn, Body()]
) -> Response[PaymentIntent]:
    return idempotent(
        app,
        scope(app),
        {"id": intent_id, **capture.model_dump(mode="json")},
        lambda: intents.capture_intent(principal(app), intent_id, capture),
        status=200,
    )


handler = lambda_handler(app, auth.merchant)
