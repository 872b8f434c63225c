"""The HTTP front door: what CloudFront + API Gateway + S3 do for one origin, on a loopback port.

A thread per connection (``ThreadingHTTPServer``, HTTP/1.1 keep-alive). Requests whose path a
CloudFront cache behaviour sends to the API origin (``/api/*`` in our template) go to API Gateway;
everything else is read from the site bucket through the S3 API with the distribution's index
rewrite (``/checkout`` -> ``checkout/index.html``, the rule of the template's CloudFront Function).
The behaviour's response headers policy is applied to either answer. Without a distribution, every
request goes to API Gateway.

What Python's http.server would answer itself is answered as AWS does: any method reaches routing
(API Gateway's 403 for one it does not serve, never a 501 page), bodies are framed by
``localcloud.framing`` (chunked read, malformed lengths a 400), errors are JSON, and no ``Server``
header names a Python version. The socket is bound at construction (the port is known, a taken port
fails early) but listens only from ``start()``: until the runtime's start steps ran, a client is
refused rather than answered by a gateway that is not ready.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from botocore.exceptions import ClientError

from localcloud import framing
from localcloud.apigateway import ApiGateway, Request
from localcloud.cloudfront import Distribution
from localcloud.logs import log

Response = tuple[int, list[tuple[str, str]], bytes]
RawHandler = Callable[[Request], Response]
MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
IDLE_TIMEOUT = 60.0  # s a connection may wait for the rest of a request (or the next one)
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 method token


class Site:
    """The static origin: a bucket, read through the S3 API, with the index rewrite."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    @staticmethod
    def object_key(path: str) -> str:
        key = path.lstrip("/")
        if key == "" or key.endswith("/"):
            return key + "index.html"
        if "." not in key.rsplit("/", 1)[-1]:
            return key + "/index.html"
        return key

    def get(self, path: str, head: bool) -> Response:
        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=self.object_key(path))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404", "AccessDenied"):
                body = b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>"
                return 404, [("Content-Type", "text/html; charset=utf-8")], body
            raise
        body = obj["Body"].read()
        headers = [
            ("Content-Type", obj.get("ContentType", "application/octet-stream")),
            ("ETag", obj["ETag"]),
        ]
        headers.append(("Cache-Control", "no-cache"))
        return 200, headers, b"" if head else body


class Front:
    """Routes a request to the API, the site, or a raw handler (benchmarks compare against those)."""

    def __init__(
        self,
        api: ApiGateway,
        site: Site | None,
        distribution: Distribution | None,
        raw_handlers: dict[str, RawHandler] | None = None,
    ) -> None:
        self.api = api
        self.site = site
        self.distribution = distribution
        self.raw_handlers = raw_handlers or {}

    def handle(self, request: Request) -> Response:
        raw = self.raw_handlers.get(request.path)
        if raw is not None:
            return raw(request)
        if self.site is None or self.distribution is None:
            return self.api.handle(request)
        behavior = self.distribution.behavior_for(request.path)
        if not behavior.to_site:
            status, headers, body = self.api.handle(request)
        elif request.method not in ("GET", "HEAD"):
            status, headers = 403, [("Content-Type", "application/xml")]
            body = b"<Error><Code>MethodNotAllowed</Code></Error>"
        else:
            status, headers, body = self.site.get(request.path, head=request.method == "HEAD")
        if behavior.headers is not None:
            headers = behavior.headers.apply(headers)
        return status, headers, body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle on, keep-alive clients wait ~40 ms for the
    # delayed ACK on every response.
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT  # a request sent in part does not hold its thread forever
    default_request_version = "HTTP/1.1"  # even a refused request line gets a status line back
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # access logs would drown the functions' own structured logs

    def __getattr__(self, name: str) -> Any:
        # http.server looks up ``do_<METHOD>`` and answers 501 itself when there is none; every
        # method goes to routing instead, where API Gateway's own answer is decided.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        target = _target(self.path)
        # "GET /" alone (HTTP/0.9) is not served by API Gateway or CloudFront either
        if target is None or not _TOKEN.fullmatch(self.command) or len(self.requestline.split()) != 3:
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        try:
            body = framing.read_body(self.headers, self.rfile, MAX_BODY)
        except framing.Refused as refused:
            self._send(refused.status, *_message(refused.message), close=True)
            return
        except framing.ClientGone:
            self.close_connection = True
            return
        path, query = target
        request = Request(
            method=self.command,
            path=path,
            query=parse_qsl(query, keep_blank_values=True),
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            status, headers, payload = self.server.front.handle(request)
        except Exception:
            log.exception("localcloud could not serve the request", extra={"path": request.path})
            status, headers, payload = 500, *_message("localcloud error")
        self._send(status, headers, b"" if self.command == "HEAD" else payload, len(payload))

    def send_response(self, code: int, message: str | None = None) -> None:
        """As http.server's, without the ``Server`` header (it named the Python version)."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (request line or headers malformed or too long): JSON, closed."""
        headers, payload = _message(HTTPStatus(code).phrase)
        self._send(code, headers, b"" if self.command == "HEAD" else payload, len(payload), close=True)

    def _send(
        self,
        status: int,
        headers: list[tuple[str, str]],
        payload: bytes,
        length: int | None = None,
        close: bool = False,
    ) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload) if length is None else length))
        if close:
            self.send_header("Connection", "close")  # also sets close_connection
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve


def _target(raw: str) -> tuple[str, str] | None:
    """Path and query of a request target: origin form (``/a?b``) or absolute form; None otherwise."""
    if raw.startswith("/"):
        path, _, query = raw.partition("?")
        return path, query
    if raw.lower().startswith(("http://", "https://")):
        url = urlsplit(raw)
        return url.path or "/", url.query
    return None


def _message(text: str) -> tuple[list[tuple[str, str]], bytes]:
    return [("Content-Type", "application/json")], json.dumps({"message": text}).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    front: Front


class HttpServer:
    def __init__(self, front: Front, host: str, port: int) -> None:
        self._server = _Server((host, port), _Handler, bind_and_activate=False)
        try:
            self._server.server_bind()  # the port is ours (and known) from now; listen() in start()
        except OSError:
            self._server.server_close()
            raise
        self._server.front = front
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._server.server_activate()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="localcloud-http", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread:  # shutdown() waits for serve_forever, which only runs once started
            self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)


def json_response(status: int, payload: Any) -> Response:
    return status, [("Content-Type", "application/json")], json.dumps(payload).encode()
