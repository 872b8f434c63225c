"""GET /api/v1/orders/{order_id}/public: what the checkout page may show a payer (no secret needed)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.payments import service
from paygate.payments.models import PublicOrder

app = build_resolver()


@app.get("/api/v1/orders/<order_id>/public")
def get_public_order(order_id: str) -> PublicOrder:
    return service.get_public_order(order_id)


handler = lambda_handler(app, auth.public)
