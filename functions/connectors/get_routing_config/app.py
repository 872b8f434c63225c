"""GET /api/v1/routing: the merchant's routing configuration for the key's mode (version 0: none set,
every payment goes to the built-in simulator)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.connectors import routing_service
from paygate.connectors.routing_api_models import RoutingConfigAnswer

app = build_resolver()


@app.get("/api/v1/routing")
def get_routing_config() -> RoutingConfigAnswer:
    return routing_service.get(principal(app))


handler = lambda_handler(app, auth.merchant)
