"""GET /api/v1/webhook_endpoints."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.webhooks import service
from paygate.webhooks.models import EndpointList

app = build_resolver()


@app.get("/api/v1/webhook_endpoints")
def list_webhook_endpoints(
    limit: Annotated[int, Query(ge=1, le=100)] = 10, offset: Annotated[int, Query(ge=0)] = 0
) -> EndpointList:
    return service.list_endpoints(principal(app), limit, offset)


handler = lambda_handler(app, auth.merchant)
