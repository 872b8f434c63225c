"""POST /api/v1/dashboard/credentials/regenerate: a new key pair for a mode, shown once; the old one dies.

No Idempotency-Key: replaying the answer would mean storing the new secret in the idempotency table.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.api.responses import json_response
from paygate.dashboard import service
from paygate.dashboard.models import RegenerateIn
from paygate.merchants.models import ApiKeyCredentials

app = build_resolver()


@app.post("/api/v1/dashboard/credentials/regenerate")
def regenerate_api_key(request: Annotated[RegenerateIn, Body()]) -> Response[ApiKeyCredentials]:
    return json_response(201, service.regenerate(principal(app), request.mode))


handler = lambda_handler(app, auth.merchant)
