"""POST /api/v1/payments/{payment_id}/authenticate: the hosted 3-D Secure challenge's result (no secret:
the signed challenge token is the authority), or the payer back from a provider's own challenge."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.payments import next_action
from paygate.payments.models import AuthenticateIn, PublicPayment

app = build_resolver()


@app.post("/api/v1/payments/<payment_id>/authenticate")
def authenticate_payment(payment_id: str, answer: Annotated[AuthenticateIn, Body()]) -> PublicPayment:
    return next_action.authenticate(payment_id, answer)


handler = lambda_handler(app, auth.public)
