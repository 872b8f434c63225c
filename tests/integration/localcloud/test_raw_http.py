"""The front door on the wire: what API Gateway answers to requests a client library would never send.

Raw sockets, one malformed case each. Every answer is API Gateway's JSON (``{"message": ...}``), never
Python's HTML error page, never a ``Server`` header naming the Python version; a request whose body
cannot be framed is refused and its connection closed (what is left on it is not a request).
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass

import pytest
from localcloud import server
from localcloud.runtime import LocalCloud

TIMEOUT = 5.0  # s: a hang fails the test instead of stalling the suite


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


class Wire:
    """One keep-alive connection: raw bytes out, HTTP/1.1 answers parsed back."""

    def __init__(self, cloud: LocalCloud) -> None:
        self.sock = socket.create_connection((cloud.host, cloud.bound_port), timeout=TIMEOUT)
        self.buffer = b""

    def __enter__(self) -> Wire:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.sock.close()

    def send(self, raw: bytes) -> Wire:
        self.sock.sendall(raw)
        return self

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def answer(self, head: bool = False) -> Answer:
        while b"\r\n\r\n" not in self.buffer:
            assert self._fill(), f"connection closed before an answer: {self.buffer!r}"
        head_bytes, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head_bytes.decode("latin-1").split("\r\n")
        assert status_line.startswith("HTTP/1.1 "), status_line
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head else int(headers["content-length"])
        while len(self.buffer) < length:
            assert self._fill(), "connection closed inside the answer's body"
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Answer(int(status_line.split()[1]), headers, body)

    def closed_by_server(self) -> bool:
        """True once the server ended the connection (EOF), with nothing more sent."""
        return not self.buffer and not self._fill()


def refused(cloud: LocalCloud, raw: bytes) -> Answer:
    """Send ``raw``; the answer must be a JSON refusal, after which the server closes the connection."""
    with Wire(cloud) as wire:
        answer = wire.send(raw).answer()
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers.get("connection") == "close"
        assert wire.closed_by_server()
    return answer


def post(body_framing: str, body: bytes = b"", path: str = "/items/7") -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: x\r\n{body_framing}\r\n".encode("latin-1") + body


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "QUERY", "MKCOL", "CONNECT", "BREW"])
def test_a_method_api_gateway_does_not_serve_is_its_403_not_pythons_501(
    cloud: LocalCloud, method: str
) -> None:
    # /items/{id} has GET and POST; /files/{proxy+} is ANY, which is API Gateway's seven methods only
    for path in ("/items/1", "/files/a/b"):
        with Wire(cloud) as wire:
            answer = wire.send(f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()).answer()
        assert answer.status == 403, (method, path, answer)
        assert answer.json() == {"message": "Missing Authentication Token"}
        assert answer.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"


def test_no_answer_has_a_server_header_naming_python(cloud: LocalCloud) -> None:
    with Wire(cloud) as wire:
        served = wire.send(b"GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n").answer()
    bad = refused(cloud, b"GET /items/1 HTTP/1.1\r\nContent-Length: x\r\n\r\n")
    unknown = refused(cloud, b"NONSENSE\r\n\r\n")
    for answer in (served, bad, unknown):
        assert "server" not in answer.headers
        assert not any("python" in value.lower() for value in answer.headers.values())


@pytest.mark.parametrize(
    "framing",
    [
        "Content-Length: abc\r\n",
        "Content-Length: -5\r\n",  # read(-5) read until EOF: the request hung
        "Content-Length: +5\r\n",
        "Content-Length: 1e3\r\n",
        "Content-Length: 0x10\r\n",
        "Content-Length: \r\n",
        "Content-Length: \u00b2\r\n",  # superscript two: a digit to str.isdigit, not to HTTP
        "Content-Length: 5, 6\r\n",
        "Content-Length: 5\r\nContent-Length: 6\r\n",
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",  # the request-smuggling shape
    ],
)
def test_malformed_body_framing_is_a_400_and_the_connection_closes(cloud: LocalCloud, framing: str) -> None:
    answer = refused(cloud, post(framing, b"hello"))
    assert answer.status == 400
    assert answer.json() == {"message": "Bad Request"}


def test_a_length_past_api_gateways_10_mb_is_a_413_without_reading_it(cloud: LocalCloud) -> None:
    for framing in (
        "Content-Length: 10485761\r\n",
        "Content-Length: 99999999999999999999999999\r\n",  # more digits than any int64
        "Transfer-Encoding: chunked\r\n",
    ):
        body = b"A00001\r\n" if "chunked" in framing else b""  # one chunk past the limit, announced
        answer = refused(cloud, post(framing, body))
        assert answer.status == 413, framing
        assert answer.json() == {"message": "Request Too Long"}


def test_repeats_of_one_content_length_are_one_length(cloud: LocalCloud) -> None:
    with Wire(cloud) as wire:
        answer = wire.send(post("Content-Length: 5, 5\r\n", b"hello")).answer()
    assert answer.status == 201
    assert answer.json()["body"] == "hello"  # type: ignore[index]


def test_a_chunked_body_is_read_and_the_connection_stays_usable(cloud: LocalCloud) -> None:
    chunked = b'4;ext=1\r\n{"a"\r\n6\r\n: "b"}\r\n0\r\nX-Trailer: t\r\n\r\n'
    with Wire(cloud) as wire:
        first = wire.send(post("Transfer-Encoding: chunked\r\n", chunked)).answer()
        second = wire.send(post("Content-Length: 2\r\n", b"{}")).answer()  # same connection
    assert first.status == 201
    assert first.json()["body"] == '{"a": "b"}'  # type: ignore[index]
    assert second.status == 201
    assert second.json()["body"] == "{}"  # type: ignore[index]


@pytest.mark.parametrize(
    "chunked",
    [
        b"zz\r\nhello\r\n0\r\n\r\n",  # size not hex
        b"-5\r\nhello\r\n0\r\n\r\n",
        b"3\r\nhello\r\n0\r\n\r\n",  # more data than the size said
        b"5 5\r\nhello\r\n0\r\n\r\n",
        b"1" * 9000 + b"\r\n",  # a size line without end
    ],
)
def test_malformed_chunks_are_a_400(cloud: LocalCloud, chunked: bytes) -> None:
    answer = refused(cloud, post("Transfer-Encoding: chunked\r\n", chunked))
    assert answer.status == 400
    assert answer.json() == {"message": "Bad Request"}


def test_a_transfer_coding_other_than_chunked_is_not_implemented(cloud: LocalCloud) -> None:
    answer = refused(cloud, post("Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n"))
    assert answer.status == 501
    assert answer.json() == {"message": "Not Implemented"}


@pytest.mark.parametrize(
    ("request_line", "status"),
    [
        (b"NONSENSE", 400),
        (b"GET /items/1", 400),  # HTTP/0.9
        (b"GET * HTTP/1.1", 400),  # asterisk form is for OPTIONS to a proxy, not a resource
        (b"GET items/1 HTTP/1.1", 400),
        (b"G(T /items/1 HTTP/1.1", 400),  # not a method token
        (b"GET /items/1 HTTP/1.1 extra", 400),
        (b"GET /items/1 HTTP/2.0", 505),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1", 414),
    ],
)
def test_a_malformed_request_line_gets_a_json_refusal(
    cloud: LocalCloud, request_line: bytes, status: int
) -> None:
    answer = refused(cloud, request_line + b"\r\nHost: x\r\n\r\n")
    assert answer.status == status
    assert set(answer.json()) == {"message"}  # type: ignore[arg-type]


def test_a_body_shorter_than_its_length_does_not_hold_the_connection_forever(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a limit exists (None: wait forever, as Python's http.server does) ...
    assert server._Handler.timeout is not None and 0 < server._Handler.timeout <= 120
    # ... here made short: the server gives up on the missing bytes and closes the connection
    monkeypatch.setattr(server._Handler, "timeout", 0.5)
    with Wire(cloud) as wire:
        wire.send(post("Content-Length: 10\r\n", b"hello"))  # five of the ten bytes, then silence
        assert wire.closed_by_server()  # within the client's own 5 s, or recv raises
