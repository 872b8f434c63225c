"""POST /api/v1/webhook_endpoints/{endpoint_id}/rotate_secret: a new signing secret, shown once."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.webhooks import service
from paygate.webhooks.models import EndpointWithSecret

app = build_resolver()


@app.post("/api/v1/webhook_endpoints/<endpoint_id>/rotate_secret")
def rotate_webhook_secret(endpoint_id: str) -> EndpointWithSecret:
    return service.rotate_secret(principal(app), endpoint_id)


handler = lambda_handler(app, auth.merchant)
