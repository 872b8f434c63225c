"""DELETE /api/v1/connectors/{connector_id}: the configuration and its encrypted credentials."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.connectors import service
from paygate.connectors.models import MerchantConnector

app = build_resolver()


@app.delete("/api/v1/connectors/<connector_id>")
def delete_connector(connector_id: str) -> MerchantConnector:
    return service.delete(principal(app), connector_id)


handler = lambda_handler(app, auth.merchant)
