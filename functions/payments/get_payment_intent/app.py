"""GET /api/v1/payment_intents/{intent_id}."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.payments import intents
from paygate.payments.models import PaymentIntent

app = build_resolver()


@app.get("/api/v1/payment_intents/<intent_id>")
def get_payment_intent(intent_id: str) -> PaymentIntent:
    return intents.get_intent(principal(app), intent_id)


handler = lambda_handler(app, auth.merchant)
