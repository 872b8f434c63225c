"""Provider servers as real processes on loopback, for the connector tests and the gateway's routing
tests: localstripe (stoppable and restartable on the same port, to show an outage) and the Razorpay
contract fake (tests/fakes/razorpay_server.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from paygate_cli.localstripe import Localstripe

from tests.helpers import ROOT

RAZORPAY_READY = "razorpay fake listening on "


@contextmanager
def localstripe() -> Iterator[Localstripe]:
    server = Localstripe()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def razorpay_fake(key_id: str, key_secret: str) -> Iterator[tuple[str, list[str]]]:
    """The fake as a real process (``--port 0``: it binds a free port and prints its URL); yields the URL
    and, once it has stopped, its stderr lines (for checks that it logged no card data)."""
    command = [sys.executable, "-m", "tests.fakes.razorpay_server", "--port", "0"]
    command += ["--key-id", key_id, "--key-secret", key_secret]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    found: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            if line.startswith(RAZORPAY_READY) and not found:
                found.append(line[len(RAZORPAY_READY) :].strip())
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    stderr: list[str] = []
    try:
        if not ready.wait(15):
            raise RuntimeError("the Razorpay fake did not start")
        yield found[0], stderr
    finally:
        process.terminate()
        process.wait(10)
        stderr.extend((process.stderr.read() if process.stderr else "").splitlines())
