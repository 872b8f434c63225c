"""POST /api/v1/setup_intents: save a payment method to a customer without charging it."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.payments import setup_intents
from paygate.payments.setup_intent_models import SetupIntent, SetupIntentIn

app = build_resolver()


@app.post("/api/v1/setup_intents")
def create_setup_intent(intent: Annotated[SetupIntentIn, Body()]) -> Response[SetupIntent]:
    return idempotent(app, scope(app), intent, lambda: setup_intents.create(principal(app), intent))


handler = lambda_handler(app, auth.merchant)
