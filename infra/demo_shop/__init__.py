"""A sample merchant site for the checkout SDK: its own origin, its own tiny server-side step.

``start(gateway_url)`` serves ``web/demo-shop/`` (the gateway's URL filled into the page, so it loads
``<gateway>/sdk/checkout.js``) and ``POST /demo-shop/api/orders``, which creates the order on the
gateway with the merchant's key and secret: server-side, as a real merchant must (the secret never
reaches the browser). The price is the server's, not the browser's. A page opened as
``/demo-shop/?shopper=<id>`` stands for a signed-in shopper of the shop: the order is then made for the
gateway customer whose ``external_id`` is that id (created on first use), which is how a merchant gets
saved cards and the "save this card" box into the checkout: the customer rides on the order, the SDK
takes none (docs/checkout-and-dashboard.md).
"""

from __future__ import annotations

import html
import json
import mimetypes
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parents[2] / "web" / "demo-shop"
PREFIX = "/demo-shop/"
PLACEHOLDER = "__PAYGATE_GATEWAY_URL__"
SEED_KEY = ("key_test_abc123", "secret_test_xyz789")
PRODUCT = {"id": "masala-chai-kit", "amount": 49900, "currency": "INR"}
SHOPPER = re.compile(r"[A-Za-z0-9_-]{1,64}")  # the shop's own account id (here: from the page's ?shopper=)
JSON = "application/json"

__all__ = ["DemoShop", "start"]


class DemoShop(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], gateway_url: str, key: tuple[str, str]) -> None:
        super().__init__(address, _Handler)
        self.gateway_url = gateway_url.rstrip("/")
        self.key = key
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{PREFIX}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def create_order(self, shopper: str | None = None) -> tuple[int, dict[str, Any]]:
        """POST /api/v1/orders on the gateway with the merchant's key pair; for a signed-in ``shopper``
        the order is made for the shopper's customer (found by external_id, created the first time), so
        the checkout offers the shopper's saved cards and the box to save one."""
        order: dict[str, Any] = {
            "amount": PRODUCT["amount"],
            "currency": PRODUCT["currency"],
            "notes": {"product": PRODUCT["id"]},
        }
        try:
            if shopper is not None:
                order["customer"] = self._customer_of(shopper)
            made = self._call("POST", "/api/v1/orders", order)
        except urllib.error.HTTPError as exc:
            return 502, _error(f"the gateway refused the order ({exc.code})")
        except (OSError, ValueError):
            return 502, _error("the gateway cannot be reached")
        return 201, {
            "order_id": made["id"],
            "amount": made["amount"],
            "currency": made["currency"],
            "key": self.key[0],
        }

    def _customer_of(self, shopper: str) -> str:
        """The gateway's customer of the shop's account ``shopper``: the shop's own id is its external_id."""
        found = self._call("GET", "/api/v1/customers?" + urllib.parse.urlencode({"external_id": shopper}))
        if found["items"]:
            return str(found["items"][0]["id"])
        made = self._call("POST", "/api/v1/customers", {"name": f"Shopper {shopper}", "external_id": shopper})
        return str(made["id"])

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the gateway URL is our own configuration
            self.gateway_url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={
                "Content-Type": "application/json",
                "X-Api-Key": self.key[0],
                "X-Api-Secret": self.key[1],
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read())
            return answer


def _error(description: str) -> dict[str, Any]:
    return {"error": {"code": "GATEWAY_ERROR", "description": description}}


class _Handler(BaseHTTPRequestHandler):
    server: DemoShop
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path in ("/", "/demo-shop"):
            self._send(302, b"", "text/plain", [("Location", PREFIX)])
            return
        if not path.startswith(PREFIX):
            self._send(404, b"not found", "text/plain; charset=utf-8")
            return
        name = path[len(PREFIX) :] or "index.html"
        file = (WEB / name).resolve()
        if not file.is_relative_to(WEB) or not file.is_file():
            self._send(404, b"not found", "text/plain; charset=utf-8")
            return
        payload = file.read_bytes()
        if file.name == "index.html":
            gateway = html.escape(self.server.gateway_url, quote=True)
            payload = payload.replace(PLACEHOLDER.encode(), gateway.encode())
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind += "; charset=utf-8"
        self._send(200, payload, kind)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 64 * 1024)) if length else b""
        if self.path.split("?", 1)[0] != PREFIX + "api/orders":
            self._send(404, b"not found", "text/plain; charset=utf-8")
            return
        try:
            asked = json.loads(raw or b"{}")
        except ValueError:
            asked = {}
        shopper = asked.get("shopper") if isinstance(asked, dict) else None
        if shopper is not None and not (isinstance(shopper, str) and SHOPPER.fullmatch(shopper)):
            self._send(400, json.dumps(_error("shopper must be 1-64 letters, digits, - or _")).encode(), JSON)
            return
        status, body = self.server.create_order(shopper)
        self._send(status, json.dumps(body).encode(), JSON)

    def _send(
        self, status: int, payload: bytes, kind: str, headers: list[tuple[str, str]] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in headers or []:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def start(
    gateway_url: str, port: int = 0, host: str = "127.0.0.1", key: tuple[str, str] = SEED_KEY
) -> tuple[DemoShop, str]:
    """Serve the demo shop in a daemon thread; returns the server (``.stop()`` ends it) and its page URL."""
    server = DemoShop((host, port), gateway_url, key)
    server.thread = threading.Thread(target=server.serve_forever, name="demo-shop", daemon=True)
    server.thread.start()
    return server, server.url
