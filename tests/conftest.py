"""Fixtures shared by every test package."""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def group_of(nodeid: str) -> str:
    """The group of a test, from its node id (``tests/unit/test_x.py::test_y[...]``, the path from the
    repository root, pytest's rootdir): its package's, else its module's path."""
    module = nodeid.split("::", 1)[0]
    return _package_group((ROOT / module).parent) or module


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.xdist_group(group_of(item.nodeid)))


@pytest.hookimpl(tryfirst=True)  # before xdist's own choice
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` with the groups above, read from the node ids by the controller.

    xdist 3.8.0's loadgroup reads the ``xdist_group`` marks on the workers and appends the group to each
    node id (``...::test@group``); pytest 9.2 derives ``nodeid`` from a structured id that xdist does
    not update, so the suffix is lost and every test is scheduled alone (pytest-xdist issue #1386, fix
    not released). This scheduler takes the group from the test's path instead; the marks stay for
    xdist's own loadgroup once fixed (a suffixed node id keeps its path: the same group).

    It also numbers repeated node ids: schemathesis' items (tests/contract/test_fuzz.py, one per API
    operation) all have the node id ``...::test_operation_conforms`` under pytest 9.2, and xdist's
    scope schedulers key their work by node id, so all but the first of them were never run."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class PathGroupScheduling(LoadGroupScheduling):
        def add_node_collection(self, node: Any, collection: Sequence[str]) -> None:
            super().add_node_collection(node, numbered_repeats(collection))

        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return PathGroupScheduling(config, log)


def numbered_repeats(nodeids: Sequence[str]) -> list[str]:
    """``nodeids`` with the second and later copies of an id made unique (``id#2``, ``id#3``...),
    in place: a worker runs the item at the index the scheduler sends."""
    seen: Counter[str] = Counter()
    unique = []
    for nodeid in nodeids:
        seen[nodeid] += 1
        unique.append(nodeid if seen[nodeid] == 1 else f"{nodeid}#{seen[nodeid]}")
    return unique
