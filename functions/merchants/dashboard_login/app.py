"""POST /api/v1/dashboard/login: email + password -> the session cookie (HttpOnly, SameSite=Strict).

Throttled per account and per client IP (API Gateway's ``requestContext.identity.sourceIp``): 429
with Retry-After past the limit, whether or not the password is right.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.api.responses import json_response
from paygate.dashboard import service, sessions
from paygate.dashboard.models import DashboardSession, LoginIn

app = build_resolver()


@app.post("/api/v1/dashboard/login")
def dashboard_login(login: Annotated[LoginIn, Body()]) -> Response[DashboardSession]:
    session, token = service.login(login, app.current_event.request_context.identity.source_ip)
    return json_response(200, session, cookies=[sessions.session_cookie(token, app.context["https"])])


handler = lambda_handler(app, auth.dashboard_client)
