"""GET /api/v1/dashboard/overview: payment counts, amount and success rate of the last `days` days."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.dashboard import service
from paygate.dashboard.models import Overview

app = build_resolver()


@app.get("/api/v1/dashboard/overview")
def get_dashboard_overview(
    days: Annotated[int, Query(ge=1, le=90)] = 30,
    currency: Annotated[str, Query(pattern=r"^[A-Z]{3}$")] = "INR",
) -> Overview:
    return service.overview(principal(app), days, currency)


handler = lambda_handler(app, auth.merchant)
