"""GET /api/v1/risk/rules/{rule_id}: one rule of the key's mode (a default rule too)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.risk import service
from paygate.risk.models import Rule

app = build_resolver()


@app.get("/api/v1/risk/rules/<rule_id>")
def get_risk_rule(rule_id: str) -> Rule:
    return service.get_rule(principal(app), rule_id)


handler = lambda_handler(app, auth.merchant)
