"""GET /api/v1/webhooks: the merchant's webhook deliveries, newest first (the seed's delivery log)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.webhooks import service
from paygate.webhooks.models import DeliveryList

app = build_resolver()


@app.get("/api/v1/webhooks")
def list_webhook_deliveries(
    limit: Annotated[int, Query(ge=1, le=100)] = 10, offset: Annotated[int, Query(ge=0)] = 0
) -> DeliveryList:
    return service.list_deliveries(principal(app), limit, offset)


handler = lambda_handler(app, auth.merchant)
