"""POST /api/v1/payment_intents/{intent_id}/cancel."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.payments import intents
from paygate.payments.models import PaymentIntent

app = build_resolver()


@app.post("/api/v1/payment_intents/<intent_id>/cancel")
def cancel_payment_intent(intent_id: str) -> PaymentIntent:
    return intents.cancel_intent(principal(app), intent_id)


handler = lambda_handler(app, auth.merchant)
