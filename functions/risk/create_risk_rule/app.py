"""POST /api/v1/risk/rules: a rule for the key's mode (docs/risk.md: the language and the order).

Idempotent with Idempotency-Key: a retry answers the first rule."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.risk import service
from paygate.risk.models import Rule, RuleBody

app = build_resolver()


@app.post("/api/v1/risk/rules")
def create_risk_rule(rule: Annotated[RuleBody, Body()]) -> Response[Rule]:
    return idempotent(app, scope(app), rule, lambda: service.create_rule(principal(app), rule))


handler = lambda_handler(app, auth.merchant)
