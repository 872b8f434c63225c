"""POST /api/v1/admin/merchants: the platform admin creates a merchant; its key secrets are shown once.

Idempotent with Idempotency-Key: a retry answers the merchant without the credentials shown once (the
gateway keeps API key secrets only as hashes, so the idempotency record does not keep them either)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.idempotency import ADMIN_SCOPE, idempotent
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.merchants import service
from paygate.merchants.models import CreatedMerchant, Merchant, MerchantIn

app = build_resolver()


@app.post("/api/v1/admin/merchants")
def create_merchant(merchant: Annotated[MerchantIn, Body()]) -> Response[CreatedMerchant | Merchant]:
    return idempotent(
        app, ADMIN_SCOPE, merchant, lambda: service.create_merchant(merchant), replay_as=Merchant
    )


handler = lambda_handler(app, auth.platform_admin)
