"""The layout of issue 16: the root and one nested stack per bounded context, read from the templates.

A route is written in two places (its function in the context's stack, its path in the root API's
OpenAPI body, docs/architecture.md): these tests keep the two in step. Every integration names an
Output of a context's stack that is a function of that stack, every such Output is used, and the
function an integration invokes serves that very path and method in its code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from paygate.api.openapi import route_apps
from samtranslator.yaml_helper import yaml_parse

from tests.helpers import PRODUCT, ROOT, STACKS

_INTEGRATION = re.compile(r"functions/\$\{(\w+)\.Outputs\.(\w+)\}/invocations$")


def _load(path: Path) -> dict[str, Any]:
    return yaml_parse(path.read_text())


ROOT_DOC = _load(PRODUCT)
APPLICATIONS = {
    name: (PRODUCT.parent / r["Properties"]["Location"]).resolve()
    for name, r in ROOT_DOC["Resources"].items()
    if r["Type"] == "AWS::Serverless::Application"
}
CONTEXTS = {name: _load(path) for name, path in APPLICATIONS.items()}


def _functions(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: r for n, r in doc["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}


def _integrations() -> list[tuple[str, str, str, str]]:
    """(path, method, stack, output) of every integration of the root API's body."""
    body = ROOT_DOC["Resources"]["PaygateApi"]["Properties"]["DefinitionBody"]
    found = []
    for path, operations in body["paths"].items():
        for method, operation in operations.items():
            integration = operation["x-amazon-apigateway-integration"]
            uri = integration["uri"]["Fn::Sub"]
            match = _INTEGRATION.search(uri)
            assert match, (path, method, uri)
            assert integration["type"] == "aws_proxy" and integration["httpMethod"] == "POST"
            assert integration["credentials"] == {"Fn::GetAtt": ["ApiInvokeRole", "Arn"]}
            found.append((path, method, match.group(1), match.group(2)))
    return found


def _code_routes() -> dict[str, set[tuple[str, str]]]:
    """function folder name -> (lower-case method, path) its code serves."""
    return {
        name: {
            (route.method.lower(), route.openapi_path) for route in app._static_routes + app._dynamic_routes
        }
        for name, _, app in route_apps(ROOT / "functions")
    }


def test_the_contexts_are_nested_stacks_of_the_root() -> None:
    contexts = {"Merchants", "Payments", "Webhooks", "Connectors", "Vault", "Customers", "Risk"}
    assert set(APPLICATIONS) == contexts
    for name, path in APPLICATIONS.items():
        assert path == (STACKS / f"{name.lower()}.yaml").resolve()


def test_every_integration_invokes_a_function_of_the_stack_it_names_and_every_output_is_used() -> None:
    used: set[tuple[str, str]] = set()
    for path, method, stack, output in _integrations():
        outputs = CONTEXTS[stack]["Outputs"]
        assert output in outputs, (path, method, stack, output)
        (function, attribute) = outputs[output]["Value"]["Fn::GetAtt"]
        assert attribute == "Arn" and function in _functions(CONTEXTS[stack]), (stack, output)
        used.add((stack, output))
    for stack, doc in CONTEXTS.items():
        routed = {name for name in doc["Outputs"] if name.endswith("Arn") and name[:-3] in _functions(doc)}
        assert routed == {output for s, output in used if s == stack}, stack


def test_the_function_an_integration_invokes_serves_that_route_in_its_code() -> None:
    served = _code_routes()
    for path, method, stack, output in _integrations():
        function = CONTEXTS[stack]["Outputs"][output]["Value"]["Fn::GetAtt"][0]
        folder = Path(_functions(CONTEXTS[stack])[function]["Properties"]["CodeUri"]).name
        assert (method, path) in served[folder], (path, method, function)


def test_folders_show_the_contexts() -> None:
    for context, doc in [("api", ROOT_DOC)] + [(s.lower(), d) for s, d in CONTEXTS.items()]:
        for name, function in _functions(doc).items():
            code = Path(function["Properties"]["CodeUri"])
            assert code.parent.name == context and code.parent.parent.name == "functions", (name, code)
        for name, resource in doc["Resources"].items():
            if resource["Type"] == "AWS::Serverless::StateMachine":
                definition = Path(resource["Properties"]["DefinitionUri"])
                assert definition.parent.name == context, (name, definition)
    on_disk = {p.parent.parent.name for p in (ROOT / "functions").glob("*/*/app.py")}
    assert on_disk == {"api", "merchants", "payments", "webhooks", "connectors", "customers", "vault", "risk"}


@pytest.mark.parametrize("stack", sorted(CONTEXTS))
def test_every_context_function_is_named_under_the_root_so_the_api_invoke_role_covers_it(stack: str) -> None:
    for name, function in _functions(CONTEXTS[stack]).items():
        assert function["Properties"]["FunctionName"] == {"Fn::Sub": f"${{Namespace}}-{name}"}
    statement = ROOT_DOC["Resources"]["ApiInvokeRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    (resource,) = [s["Resource"] for s in statement["Statement"] if s["Effect"] == "Allow"]
    assert resource["Fn::Sub"].endswith(":function:${AWS::StackName}-*")
    assert CONTEXTS[stack]["Parameters"]["Namespace"]
    assert ROOT_DOC["Resources"][stack]["Properties"]["Parameters"]["Namespace"] == {"Ref": "AWS::StackName"}


@pytest.mark.parametrize("stack", sorted(CONTEXTS))
def test_a_context_owns_its_table_and_names_the_others_it_reads_as_parameters(stack: str) -> None:
    doc = CONTEXTS[stack]
    tables = {n for n, r in doc["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"}
    assert tables == {f"{stack}Table"}
    foreign = set(re.findall(r"'Ref': '(\w+Table)'", str(doc["Resources"]))) - tables
    assert foreign <= set(doc["Parameters"]), foreign
