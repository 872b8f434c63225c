"""GET /api/v1/dashboard/me: the logged-in merchant and mode (401 without a session)."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.dashboard import service
from paygate.dashboard.models import DashboardSession

app = build_resolver()


@app.get("/api/v1/dashboard/me")
def get_dashboard_session() -> DashboardSession:
    return service.current(principal(app))


handler = lambda_handler(app, auth.merchant)
