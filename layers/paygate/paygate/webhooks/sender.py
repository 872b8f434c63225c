"""One webhook POST to a checked ``Destination``: to the address that was checked, within one deadline.

The connection goes to one of ``destination.addresses`` (the addresses ``check_url`` resolved and
checked), never to a fresh lookup of the name; the ``Host`` header, TLS SNI and the certificate check
still use the name, so HTTPS verifies the host the merchant gave.

The deadline is TOTAL: connect, TLS handshake, sending, the status line, headers and the kept part of
the body all happen before it. A per-read timeout is not enough (a receiver that drips one byte a
second never lets a read time out), so a watchdog shuts the socket down at the deadline and every
blocked read or write returns at once. The standard library's ``http.client`` speaks the HTTP: it is
handed the connected socket and the parsed request-target, so it parses no URL.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

from paygate.webhooks.urls import Destination

BODY_LIMIT = 2048  # bytes of the receiver's answer kept in the delivery log
_tls = ssl.create_default_context()


@dataclass
class Answer:
    """What came back: a status, headers and the start of the body, or the error that stopped it."""

    status: int | None = None
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None


class _Watchdog:
    """Shuts the watched socket down when the deadline passes (from a timer thread)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self.sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0), self._fire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        """Watch ``sock`` from now on (the TCP socket, then the TLS socket that took its descriptor)."""
        with self._lock:
            self.sock = sock
            fired = self.fired
        if fired:
            self._shutdown(sock)
        elif not self._timer.is_alive():
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sock = self.sock
        if sock is not None:
            self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            # the plain socket's shutdown, also under TLS: the descriptor, whatever is reading it
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _remaining(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.001)


def _connect(destination: Destination, deadline: float) -> socket.socket:
    """A TCP connection to the first of the checked addresses that accepts one."""
    failure: OSError = OSError("no address to connect to")
    for address in destination.addresses:
        if time.monotonic() >= deadline:
            break
        try:
            return socket.create_connection((address, destination.port), timeout=_remaining(deadline))
        except OSError as exc:
            failure = exc
    raise failure


def post(destination: Destination, headers: dict[str, str], body: bytes, deadline: float) -> Answer:
    """POST ``body`` to ``destination``; everything happens before ``deadline`` (``time.monotonic``)."""
    watchdog = _Watchdog(deadline)
    try:
        raw = _connect(destination, deadline)
    except OSError as exc:
        timed_out = isinstance(exc, TimeoutError) or time.monotonic() >= deadline
        return Answer(error="connect timed out" if timed_out else f"connect failed ({type(exc).__name__})")
    watchdog.watch(raw)
    sock: socket.socket = raw
    answer = Answer()
    try:
        raw.settimeout(_remaining(deadline))
        if destination.scheme == "https":
            # the TLS socket takes over the descriptor: watch it before the handshake starts
            sock = _tls.wrap_socket(raw, server_hostname=destination.host, do_handshake_on_connect=False)
            watchdog.watch(sock)
            sock.do_handshake()
        connection = http.client.HTTPConnection(destination.host, destination.port)
        connection.sock = sock  # already connected: http.client only speaks HTTP on it
        connection.request(
            "POST",
            destination.target,
            body=body,
            headers={"Host": destination.host_header, "Connection": "close", **headers},
        )
        response = connection.getresponse()
        answer.status, answer.headers = response.status, dict(response.getheaders())
        kept = b""
        while len(kept) < BODY_LIMIT:
            chunk = response.read1(BODY_LIMIT - len(kept))
            if not chunk:
                break
            kept += chunk
        answer.body = kept.decode(errors="replace")
        if watchdog.fired:  # a read the shutdown ended reads as the end of the body: not an answer
            answer.error = "no complete answer before the deadline"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watchdog.fired or time.monotonic() >= deadline:
            answer.error = "no complete answer before the deadline"
        elif isinstance(exc, ssl.SSLCertVerificationError):
            answer.error = f"TLS certificate not valid for {destination.host}"
        else:
            answer.error = f"{type(exc).__name__}"
    finally:
        watchdog.cancel()
        sock.close()
        raw.close()
    return answer
