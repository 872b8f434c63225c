"""GET /api/v1/payment_methods/{payment_method_id}."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.vault import payment_methods
from paygate.vault.methods_models import PaymentMethod

app = build_resolver()


@app.get("/api/v1/payment_methods/<payment_method_id>")
def get_payment_method(payment_method_id: str) -> PaymentMethod:
    return payment_methods.get(principal(app), payment_method_id)


handler = lambda_handler(app, auth.merchant)
