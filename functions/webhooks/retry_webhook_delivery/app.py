"""POST /api/v1/webhooks/{delivery_id}/retry: reset the attempts and deliver again (also when failed)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.webhooks import service
from paygate.webhooks.models import DeliveryDetail

app = build_resolver()


@app.post("/api/v1/webhooks/<delivery_id>/retry")
def retry_webhook_delivery(delivery_id: str) -> DeliveryDetail:
    return service.retry_delivery(principal(app), delivery_id)


handler = lambda_handler(app, auth.merchant)
