"""PATCH /api/v1/connectors/{connector_id}: label, enabled, base_url (test deployments), credentials
(replaced as a whole, re-encrypted)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.connectors import service
from paygate.connectors.models import ConnectorUpdate, MerchantConnector

app = build_resolver()


@app.patch("/api/v1/connectors/<connector_id>")
def update_connector(connector_id: str, update: Annotated[ConnectorUpdate, Body()]) -> MerchantConnector:
    return service.update(principal(app), connector_id, update)


handler = lambda_handler(app, auth.merchant)
