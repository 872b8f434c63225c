"""A second gateway, started as a user would (`paygate local`), with TEST_PAYMENT_SUCCESS=false."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import paygate_local
from tests.integration.gateway.client import SEED_KEY, Api


@pytest.fixture(scope="package")
def declining() -> Iterator[Api]:
    with paygate_local("TestPaymentSuccess=false") as urls:
        yield Api.with_key(urls["gateway"], *SEED_KEY)
