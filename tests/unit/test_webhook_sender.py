"""One webhook POST ends at its deadline however the receiver stalls (issue 15, item 8): a TLS
handshake, a status line or a body that arrives one byte at a time is cut at the deadline."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from paygate.webhooks import sender
from paygate.webhooks.urls import Destination

DEADLINE = 1.0  # seconds (deliveries use 5; the mechanism is the same)


class Dripper:
    """Accepts, reads what the client sends first, answers ``opening`` and then one byte every
    0.1 s for 10 s, so that no single read ever waits long enough to time out."""

    def __init__(self, opening: bytes) -> None:
        self.opening = opening
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.stopping = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def port(self) -> int:
        return self.listener.getsockname()[1]

    def _serve(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            try:
                connection.sendall(self.opening)
                for _ in range(100):
                    if self.stopping.wait(0.1):
                        return
                    connection.sendall(b"x")
            except OSError:
                return

    def close(self) -> None:
        self.stopping.set()
        self.listener.close()


@pytest.fixture
def dripper(request: pytest.FixtureRequest) -> Iterator[Dripper]:
    server = Dripper(request.param)
    yield server
    server.close()


@pytest.mark.parametrize(
    ("dripper", "scheme"),
    [
        (b"\x16\x03\x03\x40\x00", "https"),  # a TLS handshake record of 16 KB, one byte at a time
        (b"HTTP/1.1 200 OK\r\nX-Drip: ", "http"),  # the headers never end
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", "http"),  # the body never ends
    ],
    indirect=["dripper"],
)
def test_a_dripping_receiver_is_cut_at_the_deadline(dripper: Dripper, scheme: str) -> None:
    destination = Destination(scheme, "hooks.example.com", dripper.port, "/hook", ("127.0.0.1",))  # type: ignore[arg-type]
    started = time.monotonic()
    answer = sender.post(destination, {"Content-Type": "application/json"}, b"{}", started + DEADLINE)
    took = time.monotonic() - started
    # never before the deadline; after it by at most the wake-up of a thread on a loaded machine (a
    # receiver that is not cut drips for 10 s)
    assert DEADLINE - 0.05 <= took < DEADLINE + 1.5, took
    assert answer.error == "no complete answer before the deadline"


def test_an_address_nobody_listens_on_fails_at_once_naming_the_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    destination = Destination("http", "127.0.0.1", port, "/", ("127.0.0.1",))
    answer = sender.post(destination, {}, b"{}", time.monotonic() + DEADLINE)
    assert (answer.status, answer.error) == (None, "connect failed (ConnectionRefusedError)")
