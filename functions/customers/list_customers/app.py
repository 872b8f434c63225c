"""GET /api/v1/customers: newest first; ``email`` and ``external_id`` search by exact match."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.customers import service
from paygate.customers.models import EMAIL_PATTERN, EXTERNAL_ID_PATTERN, CustomerList

app = build_resolver()


@app.get("/api/v1/customers")
def list_customers(
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    email: Annotated[str | None, Query(max_length=254, pattern=EMAIL_PATTERN)] = None,
    external_id: Annotated[str | None, Query(pattern=EXTERNAL_ID_PATTERN)] = None,
) -> CustomerList:
    return service.list_customers(principal(app), limit, offset, email, external_id)


handler = lambda_handler(app, auth.merchant)
