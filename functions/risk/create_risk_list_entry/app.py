"""POST /api/v1/risk/lists: an allow or block list entry for the key's mode (validated, normalised);
409 when the value is already on a list.

Idempotent with Idempotency-Key: a retry answers the first entry."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import idempotent
from paygate.api.resolver import build_resolver, lambda_handler, principal, scope
from paygate.risk import service
from paygate.risk.models import ListEntry, ListEntryBody

app = build_resolver()


@app.post("/api/v1/risk/lists")
def create_risk_list_entry(entry: Annotated[ListEntryBody, Body()]) -> Response[ListEntry]:
    return idempotent(app, scope(app), entry, lambda: service.create_entry(principal(app), entry))


handler = lambda_handler(app, auth.merchant)
