"""GET /api/v1/connectors/{connector_id}: one processor configuration (credentials as hints only)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.connectors import service
from paygate.connectors.models import MerchantConnector

app = build_resolver()


@app.get("/api/v1/connectors/<connector_id>")
def get_connector(connector_id: str) -> MerchantConnector:
    return service.get(principal(app), connector_id)


handler = lambda_handler(app, auth.merchant)
