"""POST /api/v1/webhook_endpoints/{endpoint_id}/test: send a ping event to this endpoint."""

from aws_lambda_powertools.event_handler import Response
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.api.responses import json_response
from paygate.webhooks import service
from paygate.webhooks.models import Delivery

app = build_resolver()


@app.post("/api/v1/webhook_endpoints/<endpoint_id>/test")
def ping_webhook_endpoint(endpoint_id: str) -> Response[Delivery]:
    return json_response(201, service.ping(principal(app), endpoint_id))


handler = lambda_handler(app, auth.merchant)
