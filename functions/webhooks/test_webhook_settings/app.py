"""POST /api/v1/dashboard/webhook_settings/test: a ping event to the merchant's webhook URL."""

from aws_lambda_powertools.event_handler import Response
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.api.responses import json_response
from paygate.dashboard import service
from paygate.webhooks.models import Delivery

app = build_resolver()


@app.post("/api/v1/dashboard/webhook_settings/test")
def test_webhook_settings() -> Response[Delivery]:
    return json_response(201, service.send_test_webhook(principal(app)))


handler = lambda_handler(app, auth.merchant)
