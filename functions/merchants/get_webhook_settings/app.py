"""GET /api/v1/dashboard/webhook_settings: the merchant's own webhook URL and signing secret."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.dashboard import service
from paygate.dashboard.models import WebhookSettings

app = build_resolver()


@app.get("/api/v1/dashboard/webhook_settings")
def get_webhook_settings() -> WebhookSettings:
    return service.webhook_settings(principal(app))


handler = lambda_handler(app, auth.merchant)
