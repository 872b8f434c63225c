"""POST /api/v1/payment_intents/{intent_id}/confirm: pay the intent with the given method."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.payments import intents
from paygate.payments.models import MethodIn, PaymentIntent

app = build_resolver()


@app.post("/api/v1/payment_intents/<intent_id>/confirm")
def confirm_payment_intent(intent_id: str, details: Annotated[MethodIn, Body()]) -> Response[PaymentIntent]:
    return idempotent(
        app,
        scope(app),
        {"id": intent_id, **details.model_dump(mode="json")},
        lambda: intents.confirm_intent(principal(app), intent_id, details),
        status=200,
    )


handler = lambda_handler(app, auth.merchant)
