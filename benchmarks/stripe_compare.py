"""The real `stripe` SDK against localstripe vs paygate's equivalent against localcloud, on loopback.

Both servers run in their own process (``localstripe --port N``; ``paygate local`` through
tests.helpers.paygate_local); the client is this process, one keep-alive ``requests`` session each
(the stripe SDK's own RequestsClient; paygate through ``requests.Session``), N iterations in a row.

- stripe: PaymentIntent.create(amount, currency, payment_method=<card pm>) + PaymentIntent.confirm
  -> ``succeeded`` (localstripe confirms synchronously; it implements neither ``pm_card_visa`` nor
  ``payment_method``/``payment_method_data`` on confirm, so the card PaymentMethod is created first
  from a test card number, outside the timed pair, and also reported with it: 3 requests).
- paygate: POST /api/v1/payment_intents + POST /api/v1/payment_intents/{id}/confirm with a test card
  -> ``processing``; the outcome comes asynchronously (Step Functions) in the server process, which
  also runs while the next iterations are timed. A failed pair (a 5xx) is reported, not timed.

    python benchmarks/stripe_compare.py [--count 200]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
import stripe

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import paygate_local  # noqa: E402 - after the path set-up above

HEADERS = {"X-Api-Key": "key_test_abc123", "X-Api-Secret": "secret_test_xyz789"}
CARD = {
    "number": "4111111111111111",
    "expiry_month": 12,
    "expiry_year": 2031,
    "cvv": "123",
    "holder_name": "A",
}
STRIPE_CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2031, "cvc": "123"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000, 2),
    }


def _start_localstripe() -> subprocess.Popen:
    """localstripe on a free port, answering (a few tries: the port is free when picked, not held)."""
    for _ in range(3):
        port = _free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "localstripe"), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stripe.api_key = "sk_test_bench"
        stripe.api_base = f"http://127.0.0.1:{port}"
        stripe.max_network_retries = 0
        deadline = time.monotonic() + 60
        while server.poll() is None and time.monotonic() < deadline:
            try:
                stripe.PaymentIntent.create(amount=100, currency="usd")
                return server
            except stripe.APIConnectionError:
                time.sleep(0.3)
        server.terminate()
        server.wait(timeout=10)
    raise RuntimeError("localstripe did not start")


def run_stripe(count: int) -> dict[str, Any]:
    server = _start_localstripe()
    try:
        pair, with_method = [], []
        for i in range(count + 10):  # the first 10 warm up
            started = time.perf_counter()
            method = stripe.PaymentMethod.create(type="card", card=STRIPE_CARD)
            created = time.perf_counter()
            intent = stripe.PaymentIntent.create(amount=5000, currency="usd", payment_method=method.id)
            intent = stripe.PaymentIntent.confirm(intent.id)
            done = time.perf_counter()
            assert intent.status == "succeeded", intent.status
            if i >= 10:
                pair.append(done - created)
                with_method.append(done - started)
        return {"pair": _percentiles(pair), "with_payment_method": _percentiles(with_method)}
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_paygate(count: int) -> dict[str, Any]:
    with paygate_local() as urls:
        base = urls["gateway"].rstrip("/")
        session = requests.Session()
        session.headers.update(HEADERS)
        pair, errors = [], []
        i = 0
        while len(pair) < count and len(errors) < 20:
            started = time.perf_counter()
            created = session.post(f"{base}/api/v1/payment_intents", json={"amount": 5000}, timeout=30)
            confirmed = created
            if created.status_code == 201:
                confirmed = session.post(
                    f"{base}/api/v1/payment_intents/{created.json()['id']}/confirm",
                    json={"method": "card", "card": CARD},
                    timeout=30,
                )
            done = time.perf_counter()
            i += 1
            if confirmed.status_code != 200:  # a cold start past the function Timeout on a loaded machine
                errors.append(f"{confirmed.status_code} {confirmed.text[:200]}")
            elif i > 10:  # the first 10 warm up
                pair.append(done - started)
        return {"pair": _percentiles(pair), "errors": len(errors), "first_errors": errors[:3]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    stripe_figures = run_stripe(args.count)
    paygate = run_paygate(args.count)
    ratio50 = paygate["pair"]["p50_ms"] / stripe_figures["pair"]["p50_ms"]
    ratio95 = paygate["pair"]["p95_ms"] / stripe_figures["pair"]["p95_ms"]
    print(f"create + confirm a payment intent, {args.count} times in a row, loopback")
    print(f"{'':<48}{'p50 ms':>9}{'p95 ms':>9}")
    rows = (
        ("stripe SDK -> localstripe (2 requests)", stripe_figures["pair"]),
        ("stripe SDK -> localstripe, + PaymentMethod (3)", stripe_figures["with_payment_method"]),
        ("paygate -> localcloud (2 requests)", paygate["pair"]),
    )
    for name, f in rows:
        print(f"{name:<48}{f['p50_ms']:>9.2f}{f['p95_ms']:>9.2f}")
    print(f"ratio paygate / localstripe (2 requests each): p50 {ratio50:.1f}x, p95 {ratio95:.1f}x")
    print(f"paygate errors (not timed, retried): {paygate['errors']} {paygate['first_errors']}")
    summary = {
        "benchmark": "stripe_compare",
        "count": args.count,
        "stripe": stripe_figures,
        "paygate": paygate,
        "ratio_p50": round(ratio50, 2),
        "ratio_p95": round(ratio95, 2),
    }
    print(json.dumps(summary))
    return 0 if paygate["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
