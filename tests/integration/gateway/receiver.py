"""A merchant's webhook receiver on 127.0.0.1: records every request; answers per path by a script."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str
    at: float


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    # path -> answers to give in turn (a status, or a status and headers), then 200
    scripts: dict[str, list[int | tuple[int, dict[str, str]]]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


def start_receiver() -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            receiver.received.append(Received(self.path, dict(self.headers), body, time.monotonic()))
            script = receiver.scripts.get(self.path, [])
            answer = script.pop(0) if script else 200
            status, headers = answer if isinstance(answer, tuple) else (answer, {})
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(f"status {status}".encode())

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
