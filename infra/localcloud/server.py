"""The HTTP front door: what CloudFront + API Gateway + S3 do for one origin, on a loopback port.

A thread per connection (``ThreadingHTTPServer``, HTTP/1.1 keep-alive). Requests whose path a
CloudFront cache behaviour sends to the API origin (``/api/*`` in our template) go to API Gateway;
everything else is read from the site bucket through the S3 API with the distribution's index
rewrite (``/checkout`` -> ``checkout/index.html``, the rule of the template's CloudFront Function).
Without a distribution, every request goes to API Gateway.
"""

from __future__ import annotations

import fnmatch
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from botocore.exceptions import ClientError

from localcloud.apigateway import ApiGateway, Request
from localcloud.logs import log

Response = tuple[int, list[tuple[str, str]], bytes]
RawHandler = Callable[[Request], Response]
MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit


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
        api_patterns: list[str],
        raw_handlers: dict[str, RawHandler] | None = None,
    ) -> None:
        self.api = api
        self.site = site
        self.api_patterns = api_patterns
        self.raw_handlers = raw_handlers or {}

    def handle(self, request: Request) -> Response:
        raw = self.raw_handlers.get(request.path)
        if raw is not None:
            return raw(request)
        if self.site is None or any(fnmatch.fnmatchcase(request.path, p) for p in self.api_patterns):
            return self.api.handle(request)
        if request.method not in ("GET", "HEAD"):
            return 403, [("Content-Type", "application/xml")], b"<Error><Code>MethodNotAllowed</Code></Error>"
        return self.site.get(request.path, head=request.method == "HEAD")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "localcloud"
    # Headers and body leave in two writes; with Nagle on, keep-alive clients wait ~40 ms for the
    # delayed ACK on every response.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # access logs would drown the functions' own structured logs

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(413, [("Content-Type", "application/json")], b'{"message":"Request Too Long"}')
            return
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=url.path or "/",
            query=parse_qsl(url.query, keep_blank_values=True),
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            status, headers, payload = self.server.front.handle(request)
        except Exception:
            log.exception("localcloud could not serve the request", extra={"path": request.path})
            status, headers, payload = (
                500,
                [("Content-Type", "application/json")],
                b'{"message":"localcloud error"}',
            )
        self._send(status, headers, b"" if self.command == "HEAD" else payload, len(payload))

    def _send(
        self, status: int, headers: list[tuple[str, str]], payload: bytes, length: int | None = None
    ) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload) if length is None else length))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    front: Front


class HttpServer:
    def __init__(self, front: Front, host: str, port: int) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.front = front
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
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
