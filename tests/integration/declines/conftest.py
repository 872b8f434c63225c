"""A second gateway, started as a user would (`paygate local`), with TEST_PAYMENT_SUCCESS=false."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from tests.helpers import ROOT
from tests.integration.gateway.client import SEED_KEY, Api

MARKER = "paygate is running on localcloud at "


@pytest.fixture(scope="package")
def declining() -> Iterator[Api]:
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud.cli", "local", "--port", "0",
         "--parameter-overrides", "TestPaymentSuccess=false"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    found: list[str] = []

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            if line.startswith(MARKER):
                found.append(line[len(MARKER) :].strip())
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=60)
    try:
        assert found, "paygate local did not start within 60 s"
        yield Api.with_key(found[0], *SEED_KEY)
    finally:
        process.terminate()
        process.wait(timeout=20)
