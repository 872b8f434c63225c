"""GET /api/v1/risk/lists: the allow and block list entries of the key's mode, newest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.risk import service
from paygate.risk.models import ListEntryList

app = build_resolver()


@app.get("/api/v1/risk/lists")
def list_risk_list_entries(
    limit: Annotated[int, Query(ge=1, le=100)] = 10, offset: Annotated[int, Query(ge=0, le=10_000)] = 0
) -> ListEntryList:
    return service.list_entries(principal(app), limit, offset)


handler = lambda_handler(app, auth.merchant)
