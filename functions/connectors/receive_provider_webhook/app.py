"""POST /api/v1/connectors/{connector_id}/webhooks/{merchant_connector_id}: a provider's webhook (signed).

No API key: the provider's signature over the raw body, checked with the configuration's webhook
secret, is the authentication. ``connector_id`` is the connector's name (``stripe``, ``razorpay``): API
Gateway allows one variable name per path level, and ``/api/v1/connectors/{connector_id}`` is its
sibling. A verified event is published for the payments context to apply (docs/connectors.md)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, raw_body
from paygate.connectors import provider_webhooks
from paygate.connectors.provider_webhooks import WebhookReceived

app = build_resolver()


@app.post("/api/v1/connectors/<connector_id>/webhooks/<merchant_connector_id>")
def receive_provider_webhook(
    connector_id: Annotated[str, Path(description="the connector's name: stripe or razorpay")],
    merchant_connector_id: Annotated[str, Path(description="the configuration (mca_...) the event is for")],
) -> WebhookReceived:
    return provider_webhooks.receive(
        connector_id, merchant_connector_id, raw_body(app), app.current_event.headers
    )


handler = lambda_handler(app, auth.public)
