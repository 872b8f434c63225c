"""POST /api/v1/webhook_endpoints: a webhook endpoint; its signing secret is shown once.

Idempotent with Idempotency-Key: a retry answers the first endpoint, its secret included."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.webhooks import service
from paygate.webhooks.models import EndpointIn, EndpointWithSecret

app = build_resolver()


@app.post("/api/v1/webhook_endpoints")
def create_webhook_endpoint(endpoint: Annotated[EndpointIn, Body()]) -> Response[EndpointWithSecret]:
    return idempotent(app, scope(app), endpoint, lambda: service.create_endpoint(principal(app), endpoint))


handler = lambda_handler(app, auth.merchant)
