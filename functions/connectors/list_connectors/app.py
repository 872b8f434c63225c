"""GET /api/v1/connectors: the caller's processor configurations in its mode, newest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.connectors import service
from paygate.connectors.models import MerchantConnectorList

app = build_resolver()


@app.get("/api/v1/connectors")
def list_connectors(
    limit: Annotated[int, Query(ge=1, le=100)] = 10, offset: Annotated[int, Query(ge=0)] = 0
) -> MerchantConnectorList:
    return service.list_connectors(principal(app), limit, offset)


handler = lambda_handler(app, auth.merchant)
