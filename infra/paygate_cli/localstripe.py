"""localstripe (a Stripe API server for tests) as a process on one loopback port: started by the tests
and, with ``paygate local --localstripe``, next to the gateway, so a Stripe connector configuration can
point its ``base_url`` at it. Stoppable and restartable on the same port (an outage, then recovery)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import requests


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Localstripe:
    """``python -m paygate_cli.localstripe_server --from-scratch`` (localstripe, a card's CVC optional as
    at Stripe: see that module): localstripe pickles its store to the fixed path
    /tmp/localstripe.pickle on every write and would otherwise load whatever is there; a restart
    therefore forgets what the previous process held."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "paygate_cli.localstripe_server",
                "--port",
                str(self.port),
                "--from-scratch",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self._answers():
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"localstripe did not answer on {self.url} within {timeout:.0f} s")
            time.sleep(0.1)

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"localstripe exited with {self.process.returncode}")
        try:
            return requests.get(f"{self.url}/v1/customers", auth=("sk_test_ready", ""), timeout=1).ok
        except requests.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
