"""DELETE /api/v1/risk/rules/{rule_id}: the merchant's rule (a default rule is disabled instead)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.risk import service
from paygate.risk.models import Rule

app = build_resolver()


@app.delete("/api/v1/risk/rules/<rule_id>")
def delete_risk_rule(rule_id: str) -> Rule:
    return service.delete_rule(principal(app), rule_id)


handler = lambda_handler(app, auth.merchant)
