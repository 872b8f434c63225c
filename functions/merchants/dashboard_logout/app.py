"""POST /api/v1/dashboard/logout: revoke the session server-side and expire its cookie."""

from aws_lambda_powertools.event_handler import Response
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.api.responses import json_response
from paygate.dashboard import service, sessions

app = build_resolver()


@app.post("/api/v1/dashboard/logout")
def dashboard_logout() -> Response[dict]:
    service.logout(app.context["session_token"])
    return json_response(200, {}, cookies=[sessions.cleared_cookie(app.context["https"])])


handler = lambda_handler(app, auth.dashboard_client)
