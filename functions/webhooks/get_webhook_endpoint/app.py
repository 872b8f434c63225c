"""GET /api/v1/webhook_endpoints/{endpoint_id}."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.webhooks import service
from paygate.webhooks.models import Endpoint

app = build_resolver()


@app.get("/api/v1/webhook_endpoints/<endpoint_id>")
def get_webhook_endpoint(endpoint_id: str) -> Endpoint:
    return service.get_endpoint(principal(app), endpoint_id)


handler = lambda_handler(app, auth.merchant)
