"""A contract fake of Razorpay's server-to-server payments API, run as its own process.

    python -m tests.fakes.razorpay_server --port 0 [--key-id K --key-secret S]

prints ``razorpay fake listening on http://127.0.0.1:PORT`` once it accepts connections.

It is a *contract fake*: it answers the requests the ``razorpay`` Python SDK (2.0.1) sends for the calls
``paygate.connectors.razorpay_connector`` makes, with the shapes Razorpay documents, so the connector is
tested through the real SDK and real HTTP. It is not Razorpay: no risk checks, fees, settlements,
real 3-D Secure, OTP flows, UPI / netbanking / wallets, webhooks sent on its own, rate limits, or
automatic expiry of uncaptured authorizations.

What it covers
- HTTP Basic ``key_id:key_secret`` on every ``/v1`` route; otherwise 401 with Razorpay's error body.
- Amounts in paise (integer minor units, at least 100), ``currency`` three upper-case letters.
- ``POST /v1/orders`` (amount, currency, receipt, notes, ``payment_capture`` 1/0 = auto / manual
  capture), ``GET /v1/orders?receipt=``, ``GET /v1/orders/{id}``, ``GET /v1/orders/{id}/payments``.
- ``POST /v1/payments/create/json`` (S2S card payment: ``card`` object or flat ``card[number]`` keys,
  expiry_month, expiry_year, cvv, name; amount, currency, order_id, email, contact, notes) answering
  ``{"razorpay_payment_id", "status", "next"}``; a decline answers 400 with the error body and the
  payment's id in ``error.metadata`` (the failed payment is kept, as Razorpay keeps it).
- ``GET /v1/payments/{id}``, ``POST /v1/payments/{id}/capture`` (amount must equal the authorized
  amount, currency must match), ``POST /v1/payments/{id}/refund`` (partial or full, receipt, notes),
  ``GET /v1/payments/{id}/refunds``, ``GET /v1/refunds/{id}``.
- Payment statuses created / authorized / captured / refunded / failed; refunds are ``processed`` at
  once. Error bodies ``{"error": {"code", "description", "source", "step", "reason", "metadata",
  "field"}}`` with code BAD_REQUEST_ERROR (4xx), GATEWAY_ERROR (502) or SERVER_ERROR (5xx).

Test cards (the fake's own choice: Razorpay's test mode lets the payer pick success or failure on a
mock bank page, which an S2S test cannot do; the numbers follow Stripe's familiar test cards):

    4000 0000 0000 0002  declined: card_declined          (issuer_bank, payment_authorization)
    4000 0000 0000 9995  declined: insufficient_funds     (customer, payment_authorization)
    4000 0000 0000 0127  declined: incorrect_card_details (customer, payment_authentication)
    4000 0000 0000 0069  declined: card_expired           (customer, payment_initiation)
    4000 0000 0000 0119  failed:   gateway_technical_error (gateway, payment_authorization)
    4000 0025 0000 3155  challenged: status created, ``next: [{"action": "redirect", "url"}]``; the
                         payer's page ``GET /v1/payments/{id}/authenticate?outcome=success|failure``
    any other number passing the Luhn check authorizes (4111 1111 1111 1111 is Razorpay's own).

Control endpoints (no auth; for tests only, under ``/_fake``):
- ``POST /_fake/mode {"mode": "normal" | "outage" | "gateway_error" | "hang", "path": "/v1/..."}``:
  ``outage`` answers 503 SERVER_ERROR, ``gateway_error`` 502 GATEWAY_ERROR, without doing anything;
  ``hang`` does the work and then withholds the answer until the mode changes (a request that was
  received and applied but whose answer never arrived). ``path`` limits the mode to request paths
  that start with it (default: every ``/v1`` path). ``normal`` releases hung requests.
- ``POST /_fake/webhook {"event", "entity_id", "secret"}``: the body and headers Razorpay would send
  for ``payment.authorized`` / ``payment.captured`` / ``payment.failed`` / ``refund.processed`` of an
  entity it holds (``X-Razorpay-Signature``: HMAC-SHA256 hex of the raw body with the webhook secret;
  ``X-Razorpay-Event-Id``). It answers them, it does not send them.
- ``GET /_fake/health``.

State is in memory. Card numbers and CVVs are never stored (only the last four digits and the
network) and nothing is logged but the method, path and status of each request.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import string
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ALPHABET = string.ascii_letters + string.digits
HANG_LIMIT_SECONDS = 30.0  # a hung request is answered at the latest after this (tests release sooner)

# card number -> (reason, source, step, description, error code)
DECLINES: dict[str, tuple[str, str, str, str]] = {
    "4000000000000002": (
        "card_declined", "issuer_bank", "payment_authorization",
        "Your payment has been declined by your bank. Try another card."),
    "4000000000009995": (
        "insufficient_funds", "customer", "payment_authorization",
        "Your payment could not be completed due to insufficient funds. Try another card."),
    "4000000000000127": (
        "incorrect_card_details", "customer", "payment_authentication",
        "Your payment has been declined as the card details are incorrect. Try another card."),
    "4000000000000069": (
        "card_expired", "customer", "payment_initiation",
        "Your payment could not be completed as this card has expired. Try another card."),
    "4000000000000119": (
        "gateway_technical_error", "gateway", "payment_authorization",
        "Your payment could not be completed due to a temporary technical issue. Try again."),
}  # fmt: skip
CHALLENGED = "4000002500003155"


def new_id(prefix: str) -> str:
    """Razorpay-shaped id: a prefix and 14 base62 characters (``pay_``, ``order_``, ``rfnd_``)."""
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(14))


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def network_of(number: str) -> str:
    if number.startswith("4"):
        return "Visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or 2221 <= int(number[:4]) <= 2720:
        return "MasterCard"
    if number[:2] in {"34", "37"}:
        return "American Express"
    if number[:2] in {"60", "65", "81", "82"}:
        return "RuPay"
    return "Unknown"


class FakeError(Exception):
    """An answer with Razorpay's error body."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        code: str = "BAD_REQUEST_ERROR",
        field: str | None = None,
        source: str = "NA",
        step: str = "NA",
        reason: str = "NA",
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.body = {
            "error": {
                "code": code,
                "description": description,
                "source": source,
                "step": step,
                "reason": reason,
                "metadata": metadata or {},
                "field": field,
            }
        }


def invalid(description: str, field: str | None = None) -> FakeError:
    return FakeError(400, description, field=field, reason="input_validation_failed")


NOT_FOUND = "The id provided does not exist"


class Razorpay:
    """The fake's state: orders, payments and refunds in memory, behind one lock."""

    def __init__(self, key_id: str, key_secret: str) -> None:
        self.key_id = key_id
        self.key_secret = key_secret
        self.lock = threading.Lock()
        self.orders: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.mode = "normal"
        self.mode_path = "/v1"
        self.release = threading.Event()

    # --- auth -----------------------------------------------------------------------------------
    def authenticated(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            key_id, _, key_secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(key_id, self.key_id) & hmac.compare_digest(key_secret, self.key_secret)

    # --- orders ---------------------------------------------------------------------------------
    def create_order(self, body: dict[str, Any]) -> dict[str, Any]:
        amount, currency = money(body)
        receipt = body.get("receipt")
        if receipt is not None and (not isinstance(receipt, str) or len(receipt) > 40):
            raise invalid("receipt may not be greater than 40 characters.", "receipt")
        capture = body.get("payment_capture", True)
        if isinstance(body.get("payment"), dict) and "capture" in body["payment"]:
            capture = body["payment"]["capture"] == "automatic"
        order = {
            "id": new_id("order_"),
            "entity": "order",
            "amount": amount,
            "amount_paid": 0,
            "amount_due": amount,
            "currency": currency,
            "receipt": receipt,
            "status": "created",
            "attempts": 0,
            "notes": notes(body),
            "payment_capture": capture in (True, 1, "1", "true"),
            "created_at": int(time.time()),
        }
        self.orders[order["id"]] = order
        return order

    def order(self, order_id: str) -> dict[str, Any]:
        if order_id not in self.orders:
            raise invalid(NOT_FOUND, "id")
        return self.orders[order_id]

    def list_orders(self, query: dict[str, str]) -> dict[str, Any]:
        receipt = query.get("receipt")
        items = [o for o in self.orders.values() if receipt is None or o["receipt"] == receipt]
        return collection(sorted(items, key=lambda o: o["created_at"], reverse=True))

    def order_payments(self, order_id: str) -> dict[str, Any]:
        self.order(order_id)
        return collection([p for p in self.payments.values() if p["order_id"] == order_id])

    # --- payments -------------------------------------------------------------------------------
    def create_payment(self, body: dict[str, Any], base_url: str) -> dict[str, Any]:
        amount, currency = money(body)
        card = card_fields(body)
        order = None
        if body.get("order_id") is not None:
            order = self.order(str(body["order_id"]))
            if order["amount"] != amount or order["currency"] != currency:
                raise invalid("Payment amount is different from the order amount", "amount")
            if order["status"] == "paid":
                raise invalid("Order has already been paid", "order_id")
            order["attempts"] += 1
        if not body.get("email"):
            raise invalid("The email field is required.", "email")
        number = card["number"]
        if not luhn_ok(number):
            raise invalid("The card number is invalid.", "number")
        payment = {
            "id": new_id("pay_"),
            "entity": "payment",
            "amount": amount,
            "currency": currency,
            "status": "created",
            "order_id": order["id"] if order else None,
            "invoice_id": None,
            "international": False,
            "method": "card",
            "amount_refunded": 0,
            "refund_status": None,
            "captured": False,
            "description": body.get("description"),
            "card_id": new_id("card_"),
            "card": {
                "entity": "card",
                "name": card.get("name"),
                "last4": number[-4:],
                "network": network_of(number),
                "type": "credit",
                "international": False,
            },
            "email": body.get("email"),
            "contact": body.get("contact"),
            "notes": notes(body),
            "error_code": None,
            "error_description": None,
            "error_source": None,
            "error_step": None,
            "error_reason": None,
            "created_at": int(time.time()),
        }
        self.payments[payment["id"]] = payment
        if number == CHALLENGED:
            url = f"{base_url}/v1/payments/{payment['id']}/authenticate"
            return {
                "razorpay_payment_id": payment["id"],
                "status": "created",
                "next": [{"action": "redirect", "url": url}],
            }
        if number in DECLINES:
            raise self.fail(payment, *DECLINES[number])
        self.authorize(payment)
        return {"razorpay_payment_id": payment["id"], "status": payment["status"], "next": []}

    def fail(
        self, payment: dict[str, Any], reason: str, source: str, step: str, description: str
    ) -> FakeError:
        payment.update(
            status="failed",
            error_code="BAD_REQUEST_ERROR",
            error_description=description,
            error_source=source,
            error_step=step,
            error_reason=reason,
        )
        metadata = {"payment_id": payment["id"]}
        if payment["order_id"]:
            metadata["order_id"] = payment["order_id"]
        return FakeError(400, description, source=source, step=step, reason=reason, metadata=metadata)

    def authorize(self, payment: dict[str, Any]) -> None:
        payment["status"] = "authorized"
        order = self.orders.get(payment["order_id"] or "")
        if order is not None:
            order["status"] = "attempted"
            if order["payment_capture"]:  # Razorpay's auto-capture, configured on the order
                self.settle(payment)

    def settle(self, payment: dict[str, Any]) -> None:
        payment.update(status="captured", captured=True)
        order = self.orders.get(payment["order_id"] or "")
        if order is not None:
            order.update(status="paid", amount_paid=payment["amount"], amount_due=0)

    def authenticate(self, payment_id: str, outcome: str) -> dict[str, Any]:
        payment = self.payment(payment_id)
        if payment["status"] != "created":
            raise invalid("Payment has already been processed", "id")
        if outcome == "success":
            self.authorize(payment)
        else:
            self.fail(
                payment,
                "authentication_failed",
                "customer",
                "payment_authentication",
                "Your payment could not be completed as the authentication was not successful.",
            )
        return payment

    def payment(self, payment_id: str) -> dict[str, Any]:
        if payment_id not in self.payments:
            raise invalid(NOT_FOUND, "id")
        return self.payments[payment_id]

    def capture(self, payment_id: str, body: dict[str, Any]) -> dict[str, Any]:
        payment = self.payment(payment_id)
        amount, currency = money(body)
        if payment["status"] == "captured" or payment["captured"]:
            raise invalid("This payment has already been captured")
        if payment["status"] != "authorized":
            raise invalid("Only payments which have been authorized and not yet captured can be captured")
        if amount != payment["amount"]:
            raise invalid("Capture amount must be equal to the amount authorized", "amount")
        if currency != payment["currency"]:
            raise invalid("Currency should be same as payment currency", "currency")
        self.settle(payment)
        return payment

    def refund(self, payment_id: str, body: dict[str, Any]) -> dict[str, Any]:
        payment = self.payment(payment_id)
        if payment["status"] not in ("captured", "refunded") or not payment["captured"]:
            raise invalid("Only captured payments can be refunded", "id")
        left = payment["amount"] - payment["amount_refunded"]
        if payment["status"] == "refunded" or left <= 0:
            raise invalid("The payment has been fully refunded already", "id")
        amount = body.get("amount", left)
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 100:
            raise invalid("The amount must be atleast INR 1.00", "amount")
        if amount > left:
            raise invalid("The refund amount provided is greater than amount captured", "amount")
        refund = {
            "id": new_id("rfnd_"),
            "entity": "refund",
            "amount": amount,
            "currency": payment["currency"],
            "payment_id": payment_id,
            "notes": notes(body),
            "receipt": body.get("receipt"),
            "acquirer_data": {"arn": None},
            "created_at": int(time.time()),
            "batch_id": None,
            "status": "processed",
            "speed_processed": "normal",
            "speed_requested": body.get("speed", "normal"),
        }
        self.refunds[refund["id"]] = refund
        payment["amount_refunded"] += amount
        full = payment["amount_refunded"] == payment["amount"]
        payment.update(refund_status="full" if full else "partial", status="refunded" if full else "captured")
        return refund

    def payment_refunds(self, payment_id: str) -> dict[str, Any]:
        self.payment(payment_id)
        return collection([r for r in self.refunds.values() if r["payment_id"] == payment_id])

    def refund_of(self, refund_id: str) -> dict[str, Any]:
        if refund_id not in self.refunds:
            raise invalid(NOT_FOUND, "id")
        return self.refunds[refund_id]

    # --- webhooks -------------------------------------------------------------------------------
    def webhook(self, body: dict[str, Any]) -> dict[str, Any]:
        event, entity_id, secret = body.get("event"), str(body.get("entity_id")), body.get("secret")
        if not isinstance(secret, str) or not secret:
            raise invalid("secret is required", "secret")
        payload: dict[str, Any]
        if event in ("payment.authorized", "payment.captured", "payment.failed"):
            payload = {"payment": {"entity": dict(self.payment(entity_id))}}
            contains = ["payment"]
        elif event in ("refund.processed", "refund.failed", "refund.created"):
            refund = self.refund_of(entity_id)
            payload = {
                "refund": {"entity": dict(refund)},
                "payment": {"entity": dict(self.payment(refund["payment_id"]))},
            }
            contains = ["refund", "payment"]
        else:
            raise invalid("The event is not supported by the fake", "event")
        raw = json.dumps(
            {
                "entity": "event",
                "account_id": "acc_" + "F" * 14,
                "event": event,
                "contains": contains,
                "payload": payload,
                "created_at": int(time.time()),
            }
        )
        signature = hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()
        headers = {
            "X-Razorpay-Signature": signature,
            "X-Razorpay-Event-Id": new_id(""),
            "Content-Type": "application/json",
        }
        return {"body": raw, "headers": headers}


def money(body: dict[str, Any]) -> tuple[int, str]:
    amount, currency = body.get("amount"), body.get("currency", "INR")
    if isinstance(amount, str) and amount.isdigit():
        amount = int(amount)
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise invalid("The amount must be an integer.", "amount")
    if amount < 100:
        raise invalid("The amount must be atleast INR 1.00", "amount")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        raise invalid("The selected currency is invalid.", "currency")
    return amount, currency


def notes(body: dict[str, Any]) -> dict[str, str]:
    value = body.get("notes") or {}
    if not isinstance(value, dict) or len(value) > 15:
        raise invalid("notes should be a key-value map of at most 15 pairs", "notes")
    return {str(k): str(v) for k, v in value.items()}


def card_fields(body: dict[str, Any]) -> dict[str, str]:
    """The card of a create request: a ``card`` object (JSON) or flat ``card[number]`` keys (form)."""
    nested = body.get("card") if isinstance(body.get("card"), dict) else {}
    card: dict[str, str] = {}
    for name in ("number", "expiry_month", "expiry_year", "cvv", "name"):
        value = nested.get(name, body.get(f"card[{name}]"))
        if value is None or value == "":
            if name == "name":
                continue
            raise invalid(f"The card.{name} field is required.", name)
        card[name] = str(value).replace(" ", "")
    month, year = card["expiry_month"], card["expiry_year"]
    if not (month.isdigit() and 1 <= int(month) <= 12):
        raise invalid("The card.expiry_month is invalid.", "expiry_month")
    if not (year.isdigit() and len(year) in (2, 4)):
        raise invalid("The card.expiry_year is invalid.", "expiry_year")
    if not (card["cvv"].isdigit() and len(card["cvv"]) in (3, 4)):
        raise invalid("The card.cvv is invalid.", "cvv")
    return card


def collection(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"entity": "collection", "count": len(items), "items": items}


class Handler(BaseHTTPRequestHandler):
    server: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # never the body: card data lives there
        if self.server.verbose:
            sys.stderr.write(f"razorpay fake: {self.command} {urlsplit(self.path).path} {args[1:2]}\n")

    def do_GET(self) -> None:
        self.handle_request()

    def do_POST(self) -> None:
        self.handle_request()

    def do_PATCH(self) -> None:
        self.handle_request()

    def handle_request(self) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        mode = fake.mode if url.path.startswith(fake.mode_path) else "normal"
        release = fake.release
        try:
            body = self.read_body()
            if url.path.startswith("/_fake/"):
                status, answer = 200, self.control(url.path, body)
                self.answer(status, answer)
                return
            if url.path.endswith("/authenticate") and url.path.startswith("/v1/payments/"):
                # the payer's 3-D Secure page (a browser, no API key)
                with fake.lock:
                    payment = fake.authenticate(url.path.split("/")[3], query.get("outcome", "success"))
                self.answer(200, {"razorpay_payment_id": payment["id"], "status": payment["status"]})
                return
            if mode == "outage":
                raise FakeError(
                    503,
                    "The server encountered an error. The incident has been reported to admins.",
                    code="SERVER_ERROR",
                )
            if mode == "gateway_error":
                raise FakeError(
                    502, "Gateway is temporarily unavailable. Please try again later.", code="GATEWAY_ERROR"
                )
            if not fake.authenticated(self.headers.get("Authorization")):
                raise FakeError(401, "Authentication failed")
            with fake.lock:
                status, answer = self.route(url.path, query, body)
        except FakeError as error:
            status, answer = error.status, error.body
        if mode == "hang":
            release.wait(HANG_LIMIT_SECONDS)
        self.answer(status, answer)

    def read_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            return {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise invalid("The request body is not valid JSON.") from error
        if not isinstance(body, dict):
            raise invalid("The request body must be a JSON object.")
        return body

    def route(self, path: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        fake = self.server.fake
        parts = path.strip("/").split("/")
        method = self.command
        match method, parts:
            case "POST", ["v1", "orders"]:
                return 200, fake.create_order(body)
            case "GET", ["v1", "orders"]:
                return 200, fake.list_orders(query)
            case "GET", ["v1", "orders", order_id]:
                return 200, fake.order(order_id)
            case "GET", ["v1", "orders", order_id, "payments"]:
                return 200, fake.order_payments(order_id)
            case "POST", ["v1", "payments", "create", "json"]:
                return 200, fake.create_payment(body, self.server.base_url)
            case "GET", ["v1", "payments", payment_id]:
                return 200, fake.payment(payment_id)
            case "POST", ["v1", "payments", payment_id, "capture"]:
                return 200, fake.capture(payment_id, body)
            case "POST", ["v1", "payments", payment_id, "refund"]:
                return 200, fake.refund(payment_id, body)
            case "GET", ["v1", "payments", payment_id, "refunds"]:
                return 200, fake.payment_refunds(payment_id)
            case "GET", ["v1", "refunds", refund_id]:
                return 200, fake.refund_of(refund_id)
        raise FakeError(400, "The requested URL was not found on the server.")

    def control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        fake = self.server.fake
        if path == "/_fake/health":
            return {"status": "ok"}
        if path == "/_fake/mode" and self.command == "POST":
            mode = body.get("mode", "normal")
            if mode not in ("normal", "outage", "gateway_error", "hang"):
                raise invalid("unknown mode", "mode")
            with fake.lock:
                fake.release.set()  # whatever hung is answered now
                fake.release = threading.Event()
                fake.mode, fake.mode_path = mode, str(body.get("path") or "/v1")
            return {"mode": mode, "path": fake.mode_path}
        if path == "/_fake/webhook" and self.command == "POST":
            with fake.lock:
                return fake.webhook(body)
        raise FakeError(400, "The requested URL was not found on the server.")

    def answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the hang mode's point)


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: Razorpay, verbose: bool = False) -> None:
        super().__init__(address, Handler)
        self.fake = fake
        self.verbose = verbose
        host, port = self.server_address[:2]
        self.base_url = f"http://{host}:{port}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port (printed)")
    parser.add_argument("--key-id", default="rzp_test_fake000000000")
    parser.add_argument("--key-secret", default="fake_secret_000000000000")
    parser.add_argument("--verbose", action="store_true", help="log method, path and status")
    args = parser.parse_args(argv)
    server = FakeServer((args.host, args.port), Razorpay(args.key_id, args.key_secret), args.verbose)
    print(f"razorpay fake listening on {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
