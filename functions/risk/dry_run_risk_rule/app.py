"""POST /api/v1/risk/rules/dry_run: which of the key's mode's last N assessed payments a rule would
have matched, with the facts that made it match (nothing is written)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.risk import service
from paygate.risk.models import DryRunAnswer, DryRunIn

app = build_resolver()


@app.post("/api/v1/risk/rules/dry_run")
def dry_run_risk_rule(dry_run: Annotated[DryRunIn, Body()]) -> DryRunAnswer:
    return service.dry_run(principal(app), dry_run)


handler = lambda_handler(app, auth.merchant)
