"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of the API (public), generated at build time."""

from aws_lambda_powertools.event_handler import Response, content_types
from paygate.api import auth, published
from paygate.api.resolver import build_resolver, lambda_handler

app = build_resolver()


@app.get("/api/v1/openapi.json", include_in_schema=False)
def get_openapi_document() -> Response[dict]:
    document = published.openapi_document()
    return Response(200, content_types.APPLICATION_JSON, document, headers={"Cache-Control": "max-age=300"})


handler = lambda_handler(app, auth.public)
