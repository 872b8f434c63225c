"""The template's functions as `sam build` sees them: code folder, memory, environment (for the benchmarks).

Not a benchmark: ``import_time.py``, ``deploy_size.py`` and ``cost.py`` read the functions from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
LAYER = ROOT / "layers" / "paygate"


@dataclass
class Function:
    logical_id: str
    code_dir: Path
    memory_mb: int
    environment: dict[str, str]


def _value(name: str, raw: Any, parameters: dict[str, Any]) -> str:
    """A literal as it is; a parameter's default; any other intrinsic a placeholder (names of tables...)."""
    if isinstance(raw, str | int | float | bool):
        return str(raw)
    if isinstance(raw, dict) and "Ref" in raw and raw["Ref"] in parameters:
        return str(parameters[raw["Ref"]].get("Default", ""))
    return f"paygate-bench-{name.lower().replace('_', '-')}"


def functions() -> list[Function]:
    sam = yaml_parse(TEMPLATE.read_text())
    parameters = sam.get("Parameters", {})
    defaults = sam.get("Globals", {}).get("Function", {})
    global_env = defaults.get("Environment", {}).get("Variables", {})
    found = []
    for logical_id, resource in sam["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        if not isinstance(props.get("CodeUri"), str):
            continue
        variables = {**global_env, **props.get("Environment", {}).get("Variables", {})}
        found.append(
            Function(
                logical_id=logical_id,
                code_dir=ROOT / props["CodeUri"],
                memory_mb=int(props.get("MemorySize", defaults.get("MemorySize", 128))),
                environment={k: _value(k, v, parameters) for k, v in variables.items()},
            )
        )
    return found
