"""POST /api/v1/setup_intents/{setup_intent_id}/cancel."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.payments import setup_intents
from paygate.payments.setup_intent_models import SetupIntent

app = build_resolver()


@app.post("/api/v1/setup_intents/<setup_intent_id>/cancel")
def cancel_setup_intent(setup_intent_id: str) -> SetupIntent:
    return setup_intents.cancel(principal(app), setup_intent_id)


handler = lambda_handler(app, auth.merchant)
