"""Time from a payment becoming ``success`` to the merchant's receiver holding the verified webhook.

Test mode, zero processing delay, through localcloud: an endpoint subscribed to ``payment.success``
points at a receiver in a separate process that verifies every delivery with the ``standardwebhooks``
library and notes the wall-clock time. The payment's own ``updated_at`` (written in the same
transaction that made it ``success``) is the start. 200 payments, one at a time (each waits for its
webhook: latency, not a backlog); prints p50/p95/max. Targets: p50 <= 1 s, p95 <= 2 s.

    python benchmarks/webhooks.py [--payments 200]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "infra"))

from localcloud.runtime import LocalCloud  # noqa: E402
from paygate_cli.local import local_parameters  # noqa: E402 - after the path set-up above

HEADERS = {"X-Api-Key": "key_test_abc123", "X-Api-Secret": "secret_test_xyz789"}


def _receiver(secret: str, port_out: Any, results: Any) -> None:
    """In a child process: verify each delivery, report (payment id, received-at wall time)."""
    from standardwebhooks import Webhook

    webhook = Webhook(secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            event = webhook.verify(body, dict(self.headers))
            results.put((event["subject"], time.time()))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    server.serve_forever()


def _pay(base: str, session: requests.Session) -> str:
    order = session.post(f"{base}/api/v1/orders", json={"amount": 5000}, headers=HEADERS, timeout=30).json()
    body = {"order_id": order["id"], "method": "upi", "vpa": "payer@okaxis"}
    return session.post(f"{base}/api/v1/payments", json=body, headers=HEADERS, timeout=30).json()["id"]


def _success_time(base: str, payment_id: str) -> float:
    payment = requests.get(f"{base}/api/v1/payments/{payment_id}", headers=HEADERS, timeout=30).json()
    assert payment["status"] == "success", payment
    return datetime.fromisoformat(payment["updated_at"].replace("Z", "+00:00")).timestamp()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=200)
    args = parser.parse_args()
    template = ROOT / "template.yaml"
    sink = os.open(os.devnull, os.O_WRONLY)  # the functions log JSON lines; keep the terminal for figures
    saved = os.dup(1)
    os.dup2(sink, 1)
    try:
        with LocalCloud(
            template, port=0, stack_name="paygate", parameters=local_parameters(template)
        ) as cloud:
            base = cloud.url
            # a placeholder address (port 9, discard) until the receiver says its port
            endpoint_body = {"url": "http://127.0.0.1:9/placeholder", "enabled_events": ["payment.success"]}
            spawn = multiprocessing.get_context("spawn")  # not fork: this process runs many threads
            port_out: multiprocessing.Queue = spawn.Queue()
            results: multiprocessing.Queue = spawn.Queue()
            endpoint = requests.post(
                f"{base}/api/v1/webhook_endpoints", json=endpoint_body, headers=HEADERS, timeout=30
            ).json()
            assert "secret" in endpoint, endpoint  # the endpoint was made
            receiver = spawn.Process(
                target=_receiver, args=(endpoint["secret"], port_out, results), daemon=True
            )
            receiver.start()
            url = f"http://127.0.0.1:{port_out.get(timeout=30)}/hook"
            requests.patch(
                f"{base}/api/v1/webhook_endpoints/{endpoint['id']}",
                json={"url": url},
                headers=HEADERS,
                timeout=30,
            ).raise_for_status()
            session = requests.Session()
            payment_ids: list[str] = []
            received: dict[str, float] = {}
            for _ in range(args.payments):  # one at a time: latency, not a backlog
                payment_ids.append(_pay(base, session))
                while payment_ids[-1] not in received:
                    subject, at = results.get(timeout=60)
                    received.setdefault(subject, at)
            latencies = sorted((received[p] - _success_time(base, p)) * 1000 for p in payment_ids)
            receiver.terminate()
    finally:
        os.dup2(saved, 1)
        os.close(sink)

    print(
        f"webhook latency, payment success -> verified at the receiver: {len(latencies)} of {args.payments}"
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    if latencies:
        p95 = latencies[max(int(len(latencies) * 0.95) - 1, 0)]
        print(
            json.dumps(
                {
                    "benchmark": "webhooks",
                    "p50_ms": round(statistics.median(latencies), 1),
                    "p95_ms": round(p95, 1),
                    "max_ms": round(latencies[-1], 1),
                    "missing": args.payments - len(latencies),
                }
            )
        )
    return 0 if len(latencies) == args.payments else 1


if __name__ == "__main__":
    sys.exit(main())
