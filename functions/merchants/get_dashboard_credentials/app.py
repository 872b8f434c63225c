"""GET /api/v1/dashboard/credentials: the merchant's key ids per mode (secrets are stored hashed)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.dashboard import service
from paygate.dashboard.models import Credentials

app = build_resolver()


@app.get("/api/v1/dashboard/credentials")
def get_dashboard_credentials() -> Credentials:
    return service.credentials(principal(app))


handler = lambda_handler(app, auth.merchant)
