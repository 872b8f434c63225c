"""PUT /api/v1/routing: replace the routing configuration of the key's mode (rules and default).

``expected_version``: 409 unless it is the stored version. Idempotent with Idempotency-Key: a retry
answers the first result instead of a 409 on the version it moved."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.connectors import routing_service
from paygate.connectors.routing_api_models import RoutingConfigAnswer, RoutingConfigPut

app = build_resolver()


@app.put("/api/v1/routing")
def replace_routing_config(config: Annotated[RoutingConfigPut, Body()]) -> Response[RoutingConfigAnswer]:
    return idempotent(
        app, scope(app), config, lambda: routing_service.replace(principal(app), config), status=200
    )


handler = lambda_handler(app, auth.merchant)
