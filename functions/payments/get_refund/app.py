"""GET /api/v1/refunds/{refund_id}."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.refunds import service
from paygate.refunds.models import Refund

app = build_resolver()


@app.get("/api/v1/refunds/<refund_id>")
def get_refund(refund_id: str) -> Refund:
    return service.get_refund(principal(app), refund_id)


handler = lambda_handler(app, auth.merchant)
