"""What `make build` (`sam build` of the root template into build/sam) produced is deployable.

`make test` builds before it runs pytest, so these read that build: every function and nested stack of
the source templates is in it, and the layer holds the pinned distributions as arm64 code with the
OpenAPI document. Run alone without a build, they skip (`make build` first).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from samtranslator.yaml_helper import yaml_parse

from tests.helpers import PRODUCT, ROOT
from tests.unit.test_layer_requirements import _pins

BUILD = ROOT / "build" / "sam"
EM_AARCH64 = 183  # ELF e_machine of arm64
# Lambda: the function and all its layers, unzipped (Lambda quotas page, "Deployment package size").
UNZIPPED_QUOTA = 250 * 1024 * 1024

pytestmark = pytest.mark.skipif(
    not (BUILD / "template.yaml").is_file(), reason="no build/sam/template.yaml: run make build"
)


@functools.cache
def _resources(template: Path) -> dict[str, dict]:
    return yaml_parse(template.read_text()).get("Resources", {})


def _walk(template: Path) -> list[tuple[Path, str, dict]]:
    """(template, logical id, resource) of a template and of every nested application it names."""
    found = []
    for name, resource in _resources(template).items():
        found.append((template, name, resource))
        location = resource.get("Properties", {}).get("Location")
        if resource["Type"] == "AWS::Serverless::Application" and isinstance(location, str):
            found += _walk(template.parent / location)
    return found


def _of_type(template: Path, kind: str) -> set[str]:
    return {name for _, name, resource in _walk(template) if resource["Type"] == kind}


def _layer() -> Path:
    (content,) = [
        here.parent / resource["Properties"]["ContentUri"]
        for here, _, resource in _walk(BUILD / "template.yaml")
        if resource["Type"] == "AWS::Serverless::LayerVersion"
    ]
    return content / "python"


def test_every_function_and_nested_stack_is_built() -> None:
    for kind in ("AWS::Serverless::Function", "AWS::Serverless::Application"):
        assert _of_type(BUILD / "template.yaml", kind) == _of_type(PRODUCT, kind), kind
    for here, name, resource in _walk(BUILD / "template.yaml"):
        if resource["Type"] == "AWS::Serverless::Function":
            code = resource["Properties"].get("CodeUri")
            assert isinstance(code, str) and (here.parent / code).is_dir(), f"{name}: {code!r}"
            assert any((here.parent / code).glob("*.py")), f"{name}: no code in {code}"


def test_the_layer_holds_the_pinned_distributions() -> None:
    built = {}
    for info in _layer().glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        built[canonicalize_name(name)] = version
    assert built == _pins()


def _machine(library: Path) -> int:
    with library.open("rb") as elf:
        return int.from_bytes(elf.read(20)[18:], "little")


def test_the_layers_compiled_code_is_arm64() -> None:
    layer = _layer()
    libraries = sorted(layer.rglob("*.so"))
    assert libraries, "no compiled extension in the layer (pydantic-core, cffi... have one)"
    machines = {str(p.relative_to(layer)): _machine(p) for p in libraries}
    assert {p: m for p, m in machines.items() if m != EM_AARCH64} == {}


def test_the_layer_serves_the_openapi_document_and_fits_lambda() -> None:
    assert (_layer() / "paygate" / "api" / "static" / "openapi.json").is_file(), "make openapi first"
    unzipped = sum(p.stat().st_size for p in _layer().rglob("*") if p.is_file())
    assert unzipped < UNZIPPED_QUOTA, f"layer {unzipped / 2**20:.1f} MB unzipped"
