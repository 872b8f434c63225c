"""DELETE /api/v1/customers/{customer_id}: soft delete (``deleted: true``; its data kept until erased)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.customers import service
from paygate.customers.models import Customer

app = build_resolver()


@app.delete("/api/v1/customers/<customer_id>")
def delete_customer(customer_id: str) -> Customer:
    return service.delete_customer(principal(app), customer_id)


handler = lambda_handler(app, auth.merchant)
