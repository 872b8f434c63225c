"""POST /api/v1/payment_methods/{payment_method_id}/attach: save the method to a customer."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.vault import payment_methods
from paygate.vault.methods_models import AttachIn, PaymentMethod

app = build_resolver()


@app.post("/api/v1/payment_methods/<payment_method_id>/attach")
def attach_payment_method(payment_method_id: str, attach: Annotated[AttachIn, Body()]) -> PaymentMethod:
    return payment_methods.attach(principal(app), payment_method_id, attach.customer)


handler = lambda_handler(app, auth.merchant)
