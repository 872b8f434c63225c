"""PATCH /api/v1/risk/rules/{rule_id}: the fields sent change (a default rule: only ``enabled``)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.risk import service
from paygate.risk.models import Rule, RulePatchBody

app = build_resolver()


@app.patch("/api/v1/risk/rules/<rule_id>")
def update_risk_rule(rule_id: str, update: Annotated[RulePatchBody, Body()]) -> Rule:
    return service.update_rule(principal(app), rule_id, update.model_dump(mode="json", exclude_unset=True))


handler = lambda_handler(app, auth.merchant)
