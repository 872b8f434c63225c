"""DELETE /api/v1/routing: back to the built-in simulator (the answer shows the empty configuration,
stored as a new version)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.connectors import routing_service
from paygate.connectors.routing_api_models import RoutingConfigAnswer

app = build_resolver()


@app.delete("/api/v1/routing")
def delete_routing_config(expected_version: Annotated[int | None, Query(ge=0)] = None) -> RoutingConfigAnswer:
    return routing_service.delete(principal(app), expected_version)


handler = lambda_handler(app, auth.merchant)
