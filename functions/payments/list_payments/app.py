"""GET /api/v1/payments: the merchant's payments, newest first; filters status, method, from/to (ISO 8601)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.payments import service
from paygate.payments.models import IsoTime, Method, PaymentList, PaymentStatus

app = build_resolver()


@app.get("/api/v1/payments")
def list_payments(
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
    status: Annotated[PaymentStatus | None, Query()] = None,
    method: Annotated[Method | None, Query()] = None,
    created_from: Annotated[IsoTime | None, Query(alias="from")] = None,
    created_to: Annotated[IsoTime | None, Query(alias="to")] = None,
) -> PaymentList:
    return service.list_payments(principal(app), limit, offset, status, method, created_from, created_to)


handler = lambda_handler(app, auth.merchant)
