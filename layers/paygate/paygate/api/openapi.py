"""The OpenAPI 3.1 document of the whole API, built from the route functions themselves.

Every route is its own Lambda (``functions/<context>/*/app.py``, a module-level ``app`` resolver and
``handler = lambda_handler(app, auth.X)``). This module imports each of them, registers every route
function on one fresh ``APIGatewayRestResolver(enable_validation=True)`` through its public ``route()``
decorator, and asks Powertools for the document. What Powertools cannot see is added here, derived
from the same functions:

- the success status: a route that answers through ``json_response(N, ...)``/``Response(N, ...)`` or
  ``idempotent(...)`` (201 unless ``status=``) documents N instead of Powertools' default 200;
- the security requirement, from the authenticator ``lambda_handler`` recorded on the app;
- the error answers of DESIGN.md section 5 (``ErrorBody``), on every operation.

A Lambda on AWS sees only its own code, so the document is generated where the functions are, at
build time, in a process of its own: ``make openapi`` runs ``python -m paygate.api.openapi --out
layers/paygate/paygate/api/static/openapi.json``, which the layer packages and ``GetOpenapiDocument``
serves (``paygate.api.published``). (Importing every function module into a process that runs them,
as localcloud does, would also share their module state, Powertools Metrics' among it.)
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import inspect
import json
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import Route
from pydantic import BaseModel, Field

from paygate.api import auth

TITLE = "paygate"
VERSION = "1.0.0"
OPENAPI_VERSION = "3.1.0"
ERROR_STATUSES = {
    400: "Bad input (BAD_REQUEST_ERROR naming the field, INVALID_STATE); a body that is not JSON, "
    "nested deeper than 32, with an integer over 38 digits, a duplicate key, NUL or invalid UTF-8",
    401: "Missing or wrong credentials (UNAUTHORIZED, INVALID_CREDENTIALS); WWW-Authenticate names "
    "the schemes the route takes",
    403: "Suspended merchant or a mode the key may not use (FORBIDDEN)",
    404: "No such object for this merchant and mode, or no such route (NOT_FOUND)",
    409: "Conflict, or a twin request with the same Idempotency-Key still in flight",
    413: "Body larger than 32 KB (PAYLOAD_TOO_LARGE, field body)",
    415: "A body not sent as application/json in UTF-8 (UNSUPPORTED_MEDIA_TYPE, field body)",
    422: "Idempotency-Key reused with another body or on another route, or an unprocessable request",
    429: "Too many attempts (TOO_MANY_ATTEMPTS: an order's or a checkout client's payment attempts, "
    "dashboard logins); Retry-After gives the seconds to wait when waiting helps",
}


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. BAD_REQUEST_ERROR")
    description: str = Field(description="What went wrong, for humans; never a stack trace")
    field: str | None = Field(default=None, description="The offending field as a dotted path")


class ErrorBody(BaseModel):
    """Every error answer of the API: ``{"error": {"code", "description", "field"?}}``."""

    error: ErrorDetail


SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
        "description": "key_test_… / key_live_…",
    },
    "apiSecret": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Secret",
        "description": "the key's secret",
    },
    "bearerSecret": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <key secret>"},
    "basicKey": {
        "type": "http",
        "scheme": "basic",
        "description": "HTTP Basic (curl -u key_id:secret): username the key id, password its secret; "
        "an empty password makes the username the secret (curl -u secret:), as Bearer",
    },
    "dashboardSession": {
        "type": "apiKey",
        "in": "cookie",
        "name": "paygate_session",
        "description": "dashboard session (POST /api/v1/dashboard/login), with X-Paygate-Dashboard: 1",
    },
    "dashboardHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Paygate-Dashboard",
        "description": "the value 1: marks a dashboard request (no cross-site forms)",
    },
    "adminBearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "Authorization: Bearer <platform admin key>",
    },
    "adminKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Admin-Key",
        "description": "the platform admin key",
    },
}
SECURITY: dict[Callable[..., Any], list[dict[str, list[str]]]] = {
    auth.merchant: [
        {"apiKey": [], "apiSecret": []},
        {"basicKey": []},
        {"bearerSecret": []},
        {"dashboardSession": [], "dashboardHeader": []},
    ],
    auth.platform_admin: [{"adminBearer": []}, {"adminKey": []}],
    auth.dashboard_client: [{"dashboardHeader": []}],
    auth.public: [],
}


def functions_dir() -> Path:
    """``functions/`` of the repository this layer is checked out in (absent inside a Lambda)."""
    return Path(__file__).resolve().parents[4] / "functions"


def route_apps(functions: Path) -> Iterator[tuple[str, str, APIGatewayRestResolver]]:
    """(directory name, summary, ``app``) of every route function; job functions have no ``app``.
    The summary is the module docstring's first line after ``METHOD /path:``."""
    for source in sorted(functions.glob("*/*/app.py")):
        name = source.parent.name
        spec = importlib.util.spec_from_file_location(f"paygate_route_{name}", source)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        app = getattr(module, "app", None)
        if isinstance(app, APIGatewayRestResolver):
            first = (module.__doc__ or "").strip().splitlines()[:1]
            yield name, (first[0].partition(": ")[2] if first else ""), app


def _routes(app: APIGatewayRestResolver) -> list[Route]:
    # Powertools keeps a resolver's routes here (no public accessor; include_router takes only Routers)
    return list(app._static_routes) + list(app._dynamic_routes)


def success_statuses(func: Callable[..., Any]) -> list[int]:
    """The 2xx/5xx statuses the function itself answers with, read from its source; [200] by default."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    found: set[int] = set()
    body = tree.body[0].body if isinstance(tree.body[0], ast.FunctionDef) else tree.body
    # the body only: a number in a parameter's annotation (Query(max_length=254)) is no status
    for node in (inner for statement in body for inner in ast.walk(statement)):
        if isinstance(node, ast.Call):
            called = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if called == "idempotent":
                status = next((k.value for k in node.keywords if k.arg == "status"), None)
                found.add(status.value if isinstance(status, ast.Constant) else 201)
        if isinstance(node, ast.Constant) and type(node.value) is int and 200 <= node.value <= 599:
            found.add(node.value)
    return sorted(found) or [200]


def build_document(functions: Path | None = None) -> dict[str, Any]:
    doc = APIGatewayRestResolver(enable_validation=True)
    security: dict[tuple[str, str], list[dict[str, list[str]]]] = {}
    function_names: dict[tuple[str, str], str] = {}
    authenticators: dict[tuple[str, str], str] = {}
    for name, summary, app in route_apps(functions or functions_dir()):
        authenticator = getattr(app, "authenticator", None)
        if authenticator not in SECURITY:
            raise ValueError(f"functions/{name}: lambda_handler(app, ...) with an authenticator unknown here")
        for route in _routes(app):
            statuses = success_statuses(route.func)
            responses: dict[int, Any] = {status: {"description": "Success"} for status in statuses}
            for status, what in ERROR_STATUSES.items():
                responses.setdefault(
                    status, {"description": what, "content": {"application/json": {"model": ErrorBody}}}
                )
            doc.route(
                route.path,
                route.method,
                summary=summary or None,
                responses=responses,
                status_code=statuses[0],
                include_in_schema=route.include_in_schema,
            )(route.func)
            security[(route.openapi_path, route.method.lower())] = SECURITY[authenticator]
            function_names[(route.openapi_path, route.method.lower())] = name
            authenticators[(route.openapi_path, route.method.lower())] = authenticator.__name__
    document = doc.get_openapi_schema(
        title=TITLE,
        version=VERSION,
        openapi_version=OPENAPI_VERSION,
        description="paygate API: JSON in and out, errors as {error: {code, description, field}}.",
        security_schemes=SECURITY_SCHEMES,  # type: ignore[arg-type]
    ).model_dump(mode="json", by_alias=True, exclude_none=True)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    # Powertools' own validation answer is never sent: the error map turns it into a 400 ErrorBody
    for unused in ("HTTPValidationError",):
        components.pop(unused, None)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            operation["security"] = security[(path, method)]
            operation["x-paygate-function"] = function_names[(path, method)]
            operation["x-paygate-auth"] = authenticators[(path, method)]
            operation["tags"] = [path.removeprefix("/api/v1/").split("/", 1)[0]]
    return document


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=Path, default=None, help="the functions/ directory")
    parser.add_argument("--out", type=Path, default=None, help="write here instead of stdout")
    args = parser.parse_args(argv)
    text = json.dumps(build_document(args.functions), indent=1, sort_keys=True) + "\n"
    if args.out:
        # written aside, then renamed over: a process serving the document meanwhile (the tests run in
        # parallel, and tests/contract regenerates it) reads the old one or the new one, never half
        staged = args.out.with_name(f".{args.out.name}.{os.getpid()}")
        staged.write_text(text)
        staged.replace(args.out)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
