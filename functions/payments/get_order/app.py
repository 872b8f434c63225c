"""GET /api/v1/orders/{order_id}."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.payments import service
from paygate.payments.models import Order

app = build_resolver()


@app.get("/api/v1/orders/<order_id>")
def get_order(order_id: str) -> Order:
    return service.get_order(principal(app), order_id)


handler = lambda_handler(app, auth.merchant)
