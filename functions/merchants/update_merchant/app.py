"""PATCH /api/v1/admin/merchants/{merchant_id}: suspend or reactivate a merchant or edit it."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.merchants import service
from paygate.merchants.models import Merchant, MerchantUpdate

app = build_resolver()


@app.patch("/api/v1/admin/merchants/<merchant_id>")
def update_merchant(merchant_id: str, update: Annotated[MerchantUpdate, Body()]) -> Merchant:
    return service.update_merchant(merchant_id, update)


handler = lambda_handler(app, auth.platform_admin)
