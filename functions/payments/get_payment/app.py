"""GET /api/v1/payments/{payment_id}."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.payments import service
from paygate.payments.models import Payment

app = build_resolver()


@app.get("/api/v1/payments/<payment_id>")
def get_payment(payment_id: str) -> Payment:
    return service.get_payment(principal(app), payment_id)


handler = lambda_handler(app, auth.merchant)
