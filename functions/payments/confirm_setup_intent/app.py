"""POST /api/v1/setup_intents/{setup_intent_id}/confirm: verify the method and save it with its mandate."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.payments import setup_intents
from paygate.payments.setup_intent_models import SetupConfirmIn, SetupIntent

app = build_resolver()


@app.post("/api/v1/setup_intents/<setup_intent_id>/confirm")
def confirm_setup_intent(
    setup_intent_id: str, details: Annotated[SetupConfirmIn, Body()]
) -> Response[SetupIntent]:
    return idempotent(
        app,
        scope(app),
        {"id": setup_intent_id, **details.model_dump(mode="json")},
        lambda: setup_intents.confirm(principal(app), setup_intent_id, details),
        status=200,
    )


handler = lambda_handler(app, auth.merchant)
