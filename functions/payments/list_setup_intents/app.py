"""GET /api/v1/setup_intents: the merchant's setup intents, newest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.payments import setup_intents
from paygate.payments.setup_intent_models import SetupIntentList

app = build_resolver()


@app.get("/api/v1/setup_intents")
def list_setup_intents(
    limit: Annotated[int, Query(ge=1, le=100)] = 10, offset: Annotated[int, Query(ge=0)] = 0
) -> SetupIntentList:
    return setup_intents.list_intents(principal(app), limit, offset)


handler = lambda_handler(app, auth.merchant)
