"""GET /api/v1/webhooks/{delivery_id}: one delivery with every attempt."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.webhooks import service
from paygate.webhooks.models import DeliveryDetail

app = build_resolver()


@app.get("/api/v1/webhooks/<delivery_id>")
def get_webhook_delivery(delivery_id: str) -> DeliveryDetail:
    return service.get_delivery(principal(app), delivery_id)


handler = lambda_handler(app, auth.merchant)
