"""POST /api/v1/payment_methods/{payment_method_id}/detach: for good (the vault card is destroyed)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.vault import payment_methods
from paygate.vault.methods_models import PaymentMethod

app = build_resolver()


@app.post("/api/v1/payment_methods/<payment_method_id>/detach")
def detach_payment_method(payment_method_id: str) -> PaymentMethod:
    return payment_methods.detach(principal(app), payment_method_id)


handler = lambda_handler(app, auth.merchant)
