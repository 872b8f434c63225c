"""GET /api/v1/customers/{customer_id}/audit: the customer's privacy audit (exports, erasures), newest
first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.customers.audit import AuditEventList
from paygate.privacy import service

app = build_resolver()


@app.get("/api/v1/customers/<customer_id>/audit")
def list_customer_audit(
    customer_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditEventList:
    return service.audit_of_customer(principal(app), customer_id, limit, offset)


handler = lambda_handler(app, auth.merchant)
