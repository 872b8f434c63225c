"""Real servers on loopback for the connector tests: localstripe as its own process (started once per
module), a server that accepts and never answers, a dead port, a Stripe-shaped responder for the answers
localstripe cannot give, and a receiver for the webhooks localstripe sends."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.servers import localstripe


@pytest.fixture(scope="module")
def localstripe_url() -> Iterator[str]:
    """localstripe as its own process on a free loopback port (tests/servers.py)."""
    with localstripe() as server:
        yield server.url


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A port bound but not listening: a connection to it is refused (kept bound so nobody takes it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        yield int(holder.getsockname()[1])


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A server that accepts connections, reads, and never answers: the request is sent, no reply."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


@dataclass
class Responder:
    """A Stripe-shaped HTTP server: answers every request with ``status`` and ``body`` and records what
    it was sent (path and form). For answers of Stripe's documented API that localstripe never gives
    (429, 5xx, decline codes, redirect_to_url); the SDK talks real HTTP to it."""

    url: str = ""
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)


@pytest.fixture
def responder() -> Iterator[Responder]:
    state = Responder()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode()) if length else {}
            state.requests.append((self.path, form))
            payload = json.dumps(state.body).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


@dataclass
class WebhookReceiver:
    url: str
    received: list[Received]


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """Where localstripe delivers the events it signs."""
    received: list[Received] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received.append(Received(self.rfile.read(length), dict(self.headers.items())))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield WebhookReceiver(f"http://127.0.0.1:{server.server_address[1]}/stripe", received)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
