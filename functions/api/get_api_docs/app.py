"""GET /api/v1/docs: a dependency-free HTML page that renders /api/v1/openapi.json (public)."""

from aws_lambda_powertools.event_handler import Response
from paygate.api import auth, published
from paygate.api.resolver import build_resolver, lambda_handler

app = build_resolver()


@app.get("/api/v1/docs", include_in_schema=False)
def get_api_docs() -> Response[str]:
    page = published.docs_page()
    return Response(200, "text/html; charset=utf-8", page, headers={"Cache-Control": "max-age=300"})


handler = lambda_handler(app, auth.public)
