"""GET /api/v1/payments/{payment_id}/public: a payment's status for the checkout page (no secret)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.payments import service
from paygate.payments.models import PublicPayment

app = build_resolver()


@app.get("/api/v1/payments/<payment_id>/public")
def get_public_payment(payment_id: str) -> PublicPayment:
    return service.get_public_payment(payment_id)


handler = lambda_handler(app, auth.public)
