"""PATCH /api/v1/dashboard/webhook_settings: set (or clear, with null) the merchant's webhook URL."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.dashboard import service
from paygate.dashboard.models import WebhookSettings, WebhookSettingsUpdate

app = build_resolver()


@app.patch("/api/v1/dashboard/webhook_settings")
def update_webhook_settings(update: Annotated[WebhookSettingsUpdate, Body()]) -> WebhookSettings:
    return service.update_webhook_settings(principal(app), update)


handler = lambda_handler(app, auth.merchant)
