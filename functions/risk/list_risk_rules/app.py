"""GET /api/v1/risk/rules: the rules of the key's mode, the default rules first (``default: true``),
then the merchant's in the order they are evaluated within their action."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.risk import service
from paygate.risk.models import RuleList

app = build_resolver()


@app.get("/api/v1/risk/rules")
def list_risk_rules() -> RuleList:
    return service.list_rules(principal(app))


handler = lambda_handler(app, auth.merchant)
