"""Fixtures shared by every test package."""

from __future__ import annotations

import os
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
