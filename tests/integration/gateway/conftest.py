"""The product template, running on localcloud as `paygate local` runs it, for every test of this package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from localcloud.cli import local_parameters
from localcloud.runtime import LocalCloud

from tests.helpers import PRODUCT


@pytest.fixture(scope="package")
def gateway() -> Iterator[LocalCloud]:
    with LocalCloud(PRODUCT, port=0, stack_name="paygate", parameters=local_parameters(PRODUCT)) as running:
        yield running
