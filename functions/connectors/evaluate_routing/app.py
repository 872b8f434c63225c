"""POST /api/v1/routing/evaluate: where a payment with these facts would go now, and why (a dry run:
the candidates and the trace; nothing is written, no circuit breaker probe is claimed)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.connectors import routing_service
from paygate.connectors.routing_api_models import EvaluateAnswer, EvaluateIn

app = build_resolver()


@app.post("/api/v1/routing/evaluate")
def evaluate_routing(facts: Annotated[EvaluateIn, Body()]) -> EvaluateAnswer:
    return routing_service.evaluate(principal(app), facts)


handler = lambda_handler(app, auth.merchant)
