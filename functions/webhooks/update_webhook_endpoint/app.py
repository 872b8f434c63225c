"""PATCH /api/v1/webhook_endpoints/{endpoint_id}: url, enabled_events, description, status."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.webhooks import service
from paygate.webhooks.models import Endpoint, EndpointUpdate

app = build_resolver()


@app.patch("/api/v1/webhook_endpoints/<endpoint_id>")
def update_webhook_endpoint(endpoint_id: str, update: Annotated[EndpointUpdate, Body()]) -> Endpoint:
    return service.update_endpoint(principal(app), endpoint_id, update)


handler = lambda_handler(app, auth.merchant)
