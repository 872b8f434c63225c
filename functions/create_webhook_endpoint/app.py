"""POST /api/v1/webhook_endpoints: a webhook endpoint; its signing secret is shown once."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.api.responses import json_response
from paygate.webhooks import service
from paygate.webhooks.models import EndpointIn, EndpointWithSecret

app = build_resolver()


@app.post("/api/v1/webhook_endpoints")
def create_webhook_endpoint(endpoint: Annotated[EndpointIn, Body()]) -> Response[EndpointWithSecret]:
    return json_response(201, service.create_endpoint(principal(app), endpoint))


handler = lambda_handler(app, auth.merchant)
