"""GET /api/v1/customers/{customer_id} (a deleted customer is 404)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.customers import service
from paygate.customers.models import Customer

app = build_resolver()


@app.get("/api/v1/customers/<customer_id>")
def get_customer(customer_id: str) -> Customer:
    return service.get_customer(principal(app), customer_id)


handler = lambda_handler(app, auth.merchant)
