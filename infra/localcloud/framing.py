"""A request's body, framed as RFC 9112 section 6 says, and the answers to framing a front door refuses.

Content-Length must be digits (one value, or repeats of one value); ``Transfer-Encoding: chunked``
is read chunk by chunk, trailers dropped. Both at once is refused (a request-smuggling shape), as is a
transfer coding other than chunked. Every refusal closes the connection: what is left on it cannot be
told apart from the next request. Past ``limit`` bytes the body is not read: 413, as API Gateway
answers a payload over its 10 MB.
"""

from __future__ import annotations

import re
from email.message import Message
from typing import BinaryIO

_DIGITS = re.compile(r"[0-9]{1,19}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
MAX_LINE = 8192  # a chunk-size line or a trailer line
MAX_TRAILERS = 100


class Refused(Exception):
    """The request cannot be read: answer ``status`` with ``message`` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ClientGone(Exception):
    """The connection ended inside the body: there is nobody to answer."""


def read_body(headers: Message, rfile: BinaryIO, limit: int) -> bytes:
    lengths = headers.get_all("Content-Length") or []
    codings = [
        coding.strip().lower()
        for value in headers.get_all("Transfer-Encoding") or []
        for coding in value.split(",")
        if coding.strip()
    ]
    if headers.get_all("Transfer-Encoding") is not None:
        if lengths:
            raise Refused(400, "Bad Request")
        if codings != ["chunked"]:
            raise Refused(501, "Not Implemented")  # RFC 9112 6.1: a coding the server does not know
        return _read_chunked(rfile, limit)
    if not lengths:
        return b""
    length = content_length(lengths, limit)
    body = rfile.read(length) if length else b""
    if len(body) < length:
        raise ClientGone
    return body


def content_length(values: list[str], limit: int) -> int:
    """The one length that the Content-Length field lines give; 413 past ``limit``."""
    found = {part.strip() for value in values for part in value.split(",")}
    if len(found) != 1:
        raise Refused(400, "Bad Request")
    text = found.pop()
    if not text.isascii() or not text.isdigit():
        raise Refused(400, "Bad Request")
    if not _DIGITS.fullmatch(text) or int(text) > limit:  # 20+ digits is past any limit
        raise Refused(413, "Request Too Long")
    return int(text)


def _read_chunked(rfile: BinaryIO, limit: int) -> bytes:
    body = bytearray()
    while True:
        line = _line(rfile)
        size_text = line.split(b";", 1)[0].strip()  # chunk extensions are ignored
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise Refused(400, "Bad Request")
        size = int(size_text, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise Refused(413, "Request Too Long")
        chunk = rfile.read(size)
        if len(chunk) < size:
            raise ClientGone
        body += chunk
        if _line(rfile).strip():
            raise Refused(400, "Bad Request")  # data longer than its chunk-size said
    for _ in range(MAX_TRAILERS + 1):
        if not _line(rfile).strip():
            return bytes(body)
    raise Refused(400, "Bad Request")


def _line(rfile: BinaryIO) -> bytes:
    line = rfile.readline(MAX_LINE + 1)
    if not line:
        raise ClientGone
    if len(line) > MAX_LINE:
        raise Refused(400, "Bad Request")
    if not line.endswith(b"\n"):
        raise ClientGone
    return line
