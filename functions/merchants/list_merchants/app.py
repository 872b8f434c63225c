"""GET /api/v1/admin/merchants: the platform admin lists merchants, newest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.merchants import service
from paygate.merchants.models import MerchantList

app = build_resolver()


@app.get("/api/v1/admin/merchants")
def list_merchants(
    limit: Annotated[int, Query(ge=1, le=100)] = 10, offset: Annotated[int, Query(ge=0)] = 0
) -> MerchantList:
    return service.list_merchants(limit, offset)


handler = lambda_handler(app, auth.platform_admin)
