"""POST /api/v1/connectors: a processor configuration for the caller's mode; credentials write-only.

Idempotent with Idempotency-Key: a retry answers the first configuration."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.connectors import service
from paygate.connectors.models import ConnectorIn, MerchantConnector

app = build_resolver()


@app.post("/api/v1/connectors")
def create_connector(connector: Annotated[ConnectorIn, Body()]) -> Response[MerchantConnector]:
    return idempotent(app, scope(app), connector, lambda: service.create(principal(app), connector))


handler = lambda_handler(app, auth.merchant)
