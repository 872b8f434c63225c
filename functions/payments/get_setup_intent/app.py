"""GET /api/v1/setup_intents/{setup_intent_id}."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.payments import setup_intents
from paygate.payments.setup_intent_models import SetupIntent

app = build_resolver()


@app.get("/api/v1/setup_intents/<setup_intent_id>")
def get_setup_intent(setup_intent_id: str) -> SetupIntent:
    return setup_intents.get(principal(app), setup_intent_id)


handler = lambda_handler(app, auth.merchant)
