"""POST /api/v1/payments/public: the checkout page pays an order (no secret)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.payments import service
from paygate.payments.models import PaymentIn, PublicPayment

app = build_resolver()


@app.post("/api/v1/payments/public")
def create_public_payment(payment: Annotated[PaymentIn, Body()]) -> Response[PublicPayment]:
    return idempotent(
        app,
        f"public#{payment.order_id}",
        payment,
        lambda: PublicPayment.model_validate(
            service.create_payment(
                None,
                payment,
                app.current_event.request_context.identity.source_ip,
                app.current_event.get_header_value("user-agent"),
            ).model_dump()
        ),
    )


handler = lambda_handler(app, auth.public)
