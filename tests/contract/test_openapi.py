"""The OpenAPI document against the template: every Api event of every function is an operation and
every operation a route; each operation says what it takes, what it answers, and who may call it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator
from paygate.api.openapi import ERROR_STATUSES, SECURITY_SCHEMES, main

from tests.contract.conftest import generated_document
from tests.helpers import template_api_routes

# The document does not describe the two routes that serve it (its own JSON and the HTML page).
SELF_DESCRIBING = {("get", "/api/v1/openapi.json"), ("get", "/api/v1/docs")}
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return generated_document()


def template_routes() -> set[tuple[str, str]]:
    return template_api_routes()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, item in document["paths"].items() for m, op in item.items() if m in METHODS]


def test_every_template_route_is_documented_and_nothing_else(document: dict[str, Any]) -> None:
    documented = {(method, path) for method, path, _ in operations(document)}
    routes = template_routes()
    assert len(routes) > 40
    assert routes - SELF_DESCRIBING - documented == set(), "routes missing from the document"
    assert documented - routes == set(), "operations without a route in template.yaml"


def test_document_is_valid_openapi_31(document: dict[str, Any]) -> None:
    """openapi-spec-validator is not installed (schemathesis 4 does not pull it in): structurally,
    and every component schema is a valid JSON Schema 2020-12 (the dialect of OpenAPI 3.1)."""
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "paygate" and document["info"]["version"]
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema), name
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs <= set(schemas), f"dangling $refs: {refs - set(schemas)}"
    assert set(document["components"]["securitySchemes"]) == set(SECURITY_SCHEMES)
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))
    for method, path, op in operations(document):
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)


def test_every_operation_has_schemas_errors_and_security(document: dict[str, Any]) -> None:
    schemes = set(SECURITY_SCHEMES)
    for method, path, op in operations(document):
        where = f"{method.upper()} {path}"
        if method in ("post", "patch", "put") and "requestBody" in op:
            assert op["requestBody"]["content"]["application/json"]["schema"], where
        success = [code for code in op["responses"] if code.startswith("2")]
        assert success, where
        for code in success:
            assert op["responses"][code]["content"]["application/json"]["schema"], where
        for status in ERROR_STATUSES:
            error = op["responses"][str(status)]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorBody"}, (where, status)
        assert "security" in op, f"{where}: no security requirement (public routes say [])"
        for alternative in op["security"]:
            assert set(alternative) <= schemes, where
        assert (op["security"] == []) == (op["x-paygate-auth"] == "public"), where


def test_bodies_are_documented_where_routes_take_json(document: dict[str, Any]) -> None:
    with_body = {(m, p) for m, p, op in operations(document) if "requestBody" in op}
    assert ("post", "/api/v1/orders") in with_body
    assert ("patch", "/api/v1/webhook_endpoints/{endpoint_id}") in with_body
    assert ("get", "/api/v1/orders") not in with_body


def test_security_follows_the_authenticator(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert paths["/api/v1/orders/{order_id}/public"]["get"]["security"] == []
    assert paths["/api/v1/payments/public"]["post"]["security"] == []
    assert paths["/api/v1/health"]["get"]["security"] == []
    assert {"adminBearer": []} in paths["/api/v1/admin/merchants"]["post"]["security"]
    assert paths["/api/v1/dashboard/login"]["post"]["security"] == [{"dashboardHeader": []}]
    merchant = paths["/api/v1/orders"]["post"]["security"]
    assert {"apiKey": [], "apiSecret": []} in merchant and {"bearerSecret": []} in merchant
    # HTTP Basic (curl -u key_id:secret) on merchant routes only; admin routes keep Bearer
    assert {"basicKey": []} in merchant
    basic = document["components"]["securitySchemes"]["basicKey"]
    assert (basic["type"], basic["scheme"]) == ("http", "basic")
    assert {"basicKey": []} not in paths["/api/v1/admin/merchants"]["post"]["security"]


def test_cli_writes_the_same_document(tmp_path: Any, document: dict[str, Any]) -> None:
    out = tmp_path / "openapi.json"
    main(["--out", str(out)])  # in-process here: a unit of the CLI, before any invocation
    assert json.loads(out.read_text()) == document


def test_served_document_and_docs_page(base_url: str, document: dict[str, Any]) -> None:
    served = requests.get(f"{base_url}/api/v1/openapi.json", timeout=60)
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("application/json")
    assert served.json() == json.loads(json.dumps(document))
    page = requests.get(f"{base_url}/api/v1/docs", timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'fetch("openapi.json")' in page.text and "<script src=" not in page.text  # no CDN
