"""Fixtures shared by every test package."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pytest
from samtranslator.yaml_helper import yaml_parse

from tests.helpers import PRODUCT, ROOT

# The layer's Powertools Logger and Metrics read the service name and metrics namespace once, when
# paygate.core.observability is first imported: on Lambda the function's environment is set by then.
# Here unit-test modules import the layer while pytest collects, before any localcloud invocation, and
# the objects they create serve every later test of the process: give them the template's Globals.
_GLOBALS = yaml_parse(PRODUCT.read_text())["Globals"]["Function"]["Environment"]["Variables"]
for _name in ("POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"):
    os.environ.setdefault(_name, str(_GLOBALS[_name]))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# --- xdist groups (`make test` runs `pytest -n 2 --dist loadgroup`; docs/operations.md "The test suite") --
# A package whose conftest.py holds package-scoped fixtures (one localcloud runtime, a browser) runs
# whole on one worker, so that runtime starts once and the package's tests keep their order (its
# test_zz_secret_scan.py reads what the others stored and logged). Every other module is a group of its
# own: its module-scoped moto world or servers are set up once, and the two workers share the modules.
TESTS = ROOT / "tests"
PACKAGE_FIXTURE = re.compile(r"@pytest\.fixture\(\s*scope=.package.")


@functools.cache
def _package_group(directory: Path) -> str | None:
    """The nearest package at or above ``directory`` (below tests/) whose conftest.py declares
    package-scoped fixtures, as a path from the repository root; None when there is none."""
    for candidate in (directory, *directory.parents):
        if TESTS not in candidate.parents:
            return None
        conftest = candidate / "conftest.py"
        if conftest.is_file() and PACKAGE_FIXTURE.search(conftest.read_text()):
            return candidate.relative_to(ROOT).as_posix()
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the marks into the node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.path
        group = _package_group(module.parent) or module.relative_to(ROOT).as_posix()
        item.add_marker(pytest.mark.xdist_group(group))
