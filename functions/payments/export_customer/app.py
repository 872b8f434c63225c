"""GET /api/v1/customers/{customer_id}/export: everything held about a customer (deleted or erased too),
nothing secret; audited. In the Payments stack: it reads the payments table (docs/privacy.md)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.privacy import service
from paygate.privacy.models import CustomerExport

app = build_resolver()


@app.get("/api/v1/customers/<customer_id>/export")
def export_customer(customer_id: str) -> CustomerExport:
    return service.export_customer(principal(app), customer_id)


handler = lambda_handler(app, auth.merchant)
