"""POST /api/v1/admin/merchants: the platform admin creates a merchant; its key secrets are shown once."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.api.responses import json_response
from paygate.merchants import service
from paygate.merchants.models import CreatedMerchant, MerchantIn

app = build_resolver()


@app.post("/api/v1/admin/merchants")
def create_merchant(merchant: Annotated[MerchantIn, Body()]) -> Response[CreatedMerchant]:
    return json_response(201, service.create_merchant(merchant))


handler = lambda_handler(app, auth.platform_admin)
