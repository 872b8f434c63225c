"""The template's functions as `sam build` sees them: code folder, memory, environment (for the benchmarks).

Not a benchmark: ``import_time.py``, ``deploy_size.py``, ``cost.py`` and ``capacity.py`` read the
functions from here. The root template and every nested application it names by a local path
(``AWS::Serverless::Application`` / ``AWS::CloudFormation::Stack`` with a ``Location`` or
``TemplateURL`` on disk) are read, so the figures follow the functions wherever a stack puts them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
LAYER = ROOT / "layers" / "paygate"
_NESTED = ("AWS::Serverless::Application", "AWS::CloudFormation::Stack")


@dataclass
class Function:
    logical_id: str
    code_dir: Path
    memory_mb: int
    environment: dict[str, str]
    api_events: int = 0  # how many routes invoke it (Api events, or the root API body's integrations)
    event_sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> Properties
    reserved_concurrency: int | None = None
    template: Path = TEMPLATE


def templates(path: Path = TEMPLATE) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The template at ``path`` and, depth first, every nested template it names on disk."""
    sam = yaml_parse(path.read_text())
    yield path, sam
    for resource in sam.get("Resources", {}).values():
        if resource.get("Type") not in _NESTED:
            continue
        props = resource.get("Properties", {})
        location = props.get("Location", props.get("TemplateURL"))
        if isinstance(location, str) and "://" not in location:
            yield from templates((path.parent / location).resolve())


def _value(name: str, raw: Any, parameters: dict[str, Any]) -> str:
    """A literal as it is; a parameter's default; any other intrinsic a placeholder (names of tables...)."""
    if isinstance(raw, str | int | float | bool):
        return str(raw)
    if isinstance(raw, dict) and "Ref" in raw and raw["Ref"] in parameters:
        return str(parameters[raw["Ref"]].get("Default", ""))
    return f"paygate-bench-{name.lower().replace('_', '-')}"


def _routed_by_body() -> dict[str, int]:
    """Function logical id -> how many routes of an API's OpenAPI body invoke it (the contexts'
    functions: their routes are written in the root's body, pointing at their stack's Outputs)."""
    outputs: dict[str, str] = {}  # "<Output>" -> function logical id (Outputs are !GetAtt F.Arn)
    uris: list[str] = []
    for _path, sam in templates():
        for name, output in (sam.get("Outputs") or {}).items():
            value = output.get("Value")
            if isinstance(value, dict) and "Fn::GetAtt" in value:
                outputs[name] = value["Fn::GetAtt"][0]
        for resource in sam.get("Resources", {}).values():
            body = resource.get("Properties", {}).get("DefinitionBody")
            if resource.get("Type") == "AWS::Serverless::Api" and isinstance(body, dict):
                for operations in body.get("paths", {}).values():
                    for operation in operations.values():
                        uri = operation.get("x-amazon-apigateway-integration", {}).get("uri", {})
                        uris.append(str(uri.get("Fn::Sub", uri) if isinstance(uri, dict) else uri))
    counts: dict[str, int] = {}
    for uri in uris:
        match = re.search(r"\$\{\w+\.Outputs\.(\w+)\}", uri)
        if match and match.group(1) in outputs:
            function = outputs[match.group(1)]
            counts[function] = counts.get(function, 0) + 1
    return counts


def functions() -> list[Function]:
    found = []
    routed = _routed_by_body()
    for path, sam in templates():
        parameters = sam.get("Parameters", {})
        defaults = sam.get("Globals", {}).get("Function", {})
        global_env = defaults.get("Environment", {}).get("Variables", {})
        for logical_id, resource in sam.get("Resources", {}).items():
            if resource.get("Type") != "AWS::Serverless::Function":
                continue
            props = resource["Properties"]
            if not isinstance(props.get("CodeUri"), str):
                continue
            variables = {**global_env, **props.get("Environment", {}).get("Variables", {})}
            events = props.get("Events", {}) or {}
            reserved = props.get("ReservedConcurrentExecutions")
            found.append(
                Function(
                    logical_id=logical_id,
                    code_dir=path.parent / props["CodeUri"],
                    memory_mb=int(props.get("MemorySize", defaults.get("MemorySize", 128))),
                    environment={k: _value(k, v, parameters) for k, v in variables.items()},
                    api_events=sum(1 for e in events.values() if e.get("Type") == "Api")
                    + routed.get(logical_id, 0),
                    event_sources={
                        name: e.get("Properties", {})
                        for name, e in events.items()
                        if e.get("Type") in ("SQS", "DynamoDB", "Kinesis")
                    },
                    reserved_concurrency=int(reserved) if isinstance(reserved, int | str) else None,
                    template=path,
                )
            )
    return found
