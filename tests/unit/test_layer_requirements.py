"""The layer's requirements pin everything `sam build` installs, so the AWS build resolves as checked.

`sam build` (SAM CLI 1.170.0) resolves the layer on the build machine and then fetches every resolved
version as an arm64 wheel for cp311; an unpinned transitive dependency lets the resolver pick a release
without one (argon2-cffi-bindings 26.2.0 broke the build that way). These tests read the installed
distributions' metadata (the local venv installs the same file through pyproject.toml), so they run
offline; whether each pinned release has an arm64 wheel is `make layer-check`'s job (it asks the index).
"""

from __future__ import annotations

from importlib import metadata

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import ROOT

REQUIREMENTS = ROOT / "layers" / "paygate" / "requirements.txt"
# The Lambda runtime the layer is built for (template.yaml: python3.11 on arm64).
LAMBDA = {**default_environment(), "python_version": "3.11", "python_full_version": "3.11.0",
          "platform_machine": "aarch64", "sys_platform": "linux", "platform_system": "Linux",
          "os_name": "posix", "implementation_name": "cpython",
          "platform_python_implementation": "CPython"}  # fmt: skip


def _requirements() -> list[Requirement]:
    lines = (line.strip() for line in REQUIREMENTS.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("#")]


def _pins() -> dict[str, str]:
    return {canonicalize_name(r.name): next(iter(r.specifier)).version for r in _requirements()}


def _needs(requirement: Requirement, extras: set[str]) -> list[Requirement]:
    """What the installed distribution of ``requirement`` requires on the Lambda runtime."""
    needed = []
    for line in metadata.requires(requirement.name) or []:
        dependency = Requirement(line)
        markers = dependency.marker
        if markers is None or any(markers.evaluate({**LAMBDA, "extra": e}) for e in extras | {""}):
            needed.append(dependency)
    return needed


def test_every_requirement_is_pinned_to_one_version() -> None:
    loose = [str(r) for r in _requirements() if [s.operator for s in r.specifier] != ["=="]]
    assert not loose, f"pin these with == (see docs/deploy.md#the-layers-pins): {loose}"
    names = [canonicalize_name(r.name) for r in _requirements()]
    assert len(names) == len(set(names)), "a distribution is listed twice"


def test_the_local_venv_runs_the_pinned_versions() -> None:
    """pyproject.toml reads the same file: the venv the tests run in has what the layer ships."""
    drifted = {
        name: (pinned, metadata.version(name))
        for name, pinned in _pins().items()
        if metadata.version(name) != pinned
    }
    assert not drifted, f"installed versions differ from the pins (make install): {drifted}"


def _extras() -> dict[str, set[str]]:
    """The extras asked of each pinned distribution, by the requirements file or by another pin."""
    asked = {canonicalize_name(r.name): set(r.extras) for r in _requirements()}
    changed = True
    while changed:
        changed = False
        for requirement in _requirements():
            for dependency in _needs(requirement, asked[canonicalize_name(requirement.name)]):
                more = set(dependency.extras) - asked.get(canonicalize_name(dependency.name), set())
                if more and canonicalize_name(dependency.name) in asked:
                    asked[canonicalize_name(dependency.name)] |= more
                    changed = True
    return asked


def test_every_transitive_dependency_is_pinned() -> None:
    """Walk each pinned distribution's requirements (markers as on python3.11/arm64, extras applied)."""
    pins = _pins()
    asked = _extras()
    unpinned: dict[str, str] = {}
    outside: dict[str, str] = {}
    for requirement in _requirements():
        for dependency in _needs(requirement, asked[canonicalize_name(requirement.name)]):
            name = canonicalize_name(dependency.name)
            if name not in pins:
                unpinned[name] = f"{dependency} (from {requirement.name})"
            elif not dependency.specifier.contains(pins[name], prereleases=True):
                outside[name] = f"{name}=={pins[name]} does not satisfy {dependency} of {requirement.name}"
    assert not unpinned, f"pulled in but not pinned in {REQUIREMENTS.name}: {unpinned}"
    assert not outside, f"pins that contradict a requirement: {outside}"
