"""Payments through localcloud: create-order + create-payment under load, and the AWS calls of one
payment's whole lifecycle.

1. Load: 8 clients (threads of a separate process, one keep-alive connection each, so they do not
   share the server's GIL) each loop POST /api/v1/orders then POST /api/v1/payments (UPI) with the
   seeded test key. Prints pairs/s and p50/p99 per route. Targets: >= 300 req/s, p99 <= 50 ms.
2. Calls: one lifecycle, warm (order -> payment -> success on Step Functions -> full refund ->
   refund processed by the SQS job), with a botocore ``before-call`` hook on the gateway's own
   clients (``paygate.core.aws``); localcloud's pollers and moto's Step Functions engine use their
   own clients, as AWS's services would, and are not counted. The polling GETs are left out.
   Target: <= 12 calls.

    python benchmarks/payments.py [--seconds 10] [--clients 8]
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import multiprocessing
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "infra"))

from localcloud.runtime import LocalCloud  # noqa: E402
from paygate_cli.local import local_parameters  # noqa: E402 - after the path set-up above

HEADERS = {
    "X-Api-Key": "key_test_abc123",
    "X-Api-Secret": "secret_test_xyz789",
    "Content-Type": "application/json",
}
POLLING = {"paygate-GetPayment", "paygate-GetRefund"}


def _post(connection: http.client.HTTPConnection, path: str, body: dict[str, Any]) -> tuple[int, Any, float]:
    started = time.perf_counter()
    connection.request("POST", path, json.dumps(body), HEADERS)
    response = connection.getresponse()
    data = response.read()
    return response.status, json.loads(data), time.perf_counter() - started


def _client(port: int, stop_at: float, out: dict[str, list[float]], errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.perf_counter() < stop_at:
        status, order, took = _post(connection, "/api/v1/orders", {"amount": 5000})
        out["order"].append(took)
        if status != 201:
            errors.append(f"order {status} {order}")
            continue
        body = {"order_id": order["id"], "method": "upi", "vpa": "payer@okaxis"}
        status, payment, took = _post(connection, "/api/v1/payments", body)
        out["payment"].append(took)
        if status != 201:
            errors.append(f"payment {status} {payment}")
    connection.close()


def _load(port: int, seconds: float, clients: int, queue: multiprocessing.Queue) -> None:
    """In a child process: ``clients`` threads create orders and payments for ``seconds``."""
    stop_at = time.perf_counter() + seconds
    results: list[dict[str, list[float]]] = [{"order": [], "payment": []} for _ in range(clients)]
    errors: list[str] = []
    threads = [
        threading.Thread(target=_client, args=(port, stop_at, results[i], errors)) for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    merged = {name: sorted(x for r in results for x in r[name]) for name in ("order", "payment")}
    queue.put({"elapsed": elapsed, "latencies": merged, "errors": errors})


def _figures(latencies: list[float], elapsed: float) -> dict[str, float]:
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000,
        "count": len(latencies),
    }


def load(port: int, seconds: float, clients: int) -> dict[str, Any]:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    _load(port, 2.0, clients, queue)  # warm-up: a cold start per concurrent environment, connections
    queue.get()
    process = multiprocessing.Process(target=_load, args=(port, seconds, clients, queue))
    process.start()
    result = queue.get()
    process.join()
    elapsed = result["elapsed"]
    order, payment = (_figures(result["latencies"][name], elapsed) for name in ("order", "payment"))
    return {"order": order, "payment": payment, "errors": result["errors"], "elapsed": elapsed}


class CallCounter:
    """Counts the gateway's AWS calls by function, service and operation while ``recording``."""

    def __init__(self) -> None:
        self.recording = False
        self.calls: collections.Counter[tuple[str, str, str]] = collections.Counter()
        self.lock = threading.Lock()

    def hook(self, model: Any, **_kwargs: Any) -> None:
        if self.recording:
            function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "?")
            with self.lock:
                self.calls[(function, model.service_model.service_name, model.name)] += 1

    def attach(self) -> None:
        from paygate.core import aws  # the layer is importable once localcloud has started

        for client in aws._clients.values():
            client.meta.events.register("before-call", self.hook)


UPI = {"method": "upi", "vpa": "a@ybl"}


def lifecycle(base: str, method: dict[str, Any] | None = None) -> dict[str, Any]:
    """Order -> payment (UPI unless ``method`` says otherwise) -> success -> full refund -> processed;
    returns the final refund."""
    connection = http.client.HTTPConnection(base.split("//")[1].split(":")[0], int(base.rsplit(":", 1)[1]))
    _, order, _ = _post(connection, "/api/v1/orders", {"amount": 5000})
    status, payment, _ = _post(connection, "/api/v1/payments", {"order_id": order["id"], **(method or UPI)})
    if status != 201:
        raise RuntimeError(f"payment {status}: {payment}")
    paid = _wait(connection, f"/api/v1/payments/{payment['id']}", "pending")
    if paid.get("status") != "success":
        raise RuntimeError(f"payment {paid.get('status')}: {paid.get('error_code')} {paid.get('attempts')}")
    _, refund, _ = _post(connection, f"/api/v1/payments/{payment['id']}/refunds", {})
    done = _wait(connection, f"/api/v1/refunds/{refund['id']}", "pending")
    connection.close()
    return done


def _wait(connection: http.client.HTTPConnection, path: str, pending: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        connection.request("GET", path, headers=HEADERS)
        body = json.loads(connection.getresponse().read())
        if body.get("status") != pending:
            return body
        time.sleep(0.05)
    raise TimeoutError(path)


def count_lifecycle(
    cloud: LocalCloud,
    counter: CallCounter | None = None,
    settle: Any = 1.0,
    method: dict[str, Any] | None = None,
) -> tuple[dict, dict[str, Any]]:
    """The gateway's AWS calls of one warm lifecycle: ({(function, service, operation): n}, final refund).

    Runs one lifecycle to warm every function, then counts a second one; the polling GETs are left
    out. Reused by ``cost.py``, which passes its own ``counter`` and ``settle`` to count more, and the
    payment ``method`` of the lifecycle it measures.
    """
    counter = counter or CallCounter()
    lifecycle(cloud.url, method)  # warm: every function started once, every client created
    counter.attach()
    counter.recording = True
    final = lifecycle(cloud.url, method)
    # anything the lifecycle still set off: seconds, or a callable that returns once it has settled
    settle() if callable(settle) else time.sleep(settle)
    counter.recording = False
    counted = {key: n for key, n in counter.calls.items() if key[0] not in POLLING}
    return counted, final


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    template = ROOT / "template.yaml"
    counter = CallCounter()
    with LocalCloud(template, port=0, stack_name="paygate", parameters=local_parameters(template)) as cloud:
        sink = os.open(os.devnull, os.O_WRONLY)  # the functions log JSON lines; keep the terminal for figures
        saved = os.dup(1)
        os.dup2(sink, 1)
        try:
            counted, final = count_lifecycle(cloud, counter)
            figures = load(cloud.bound_port, args.seconds, args.clients)
        finally:
            os.dup2(saved, 1)
            os.close(sink)

    print(f"payments through localcloud: {args.clients} keep-alive clients, {args.seconds:.0f} s")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"{'route':<24}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}")
    for name, route in (("order", "POST /api/v1/orders"), ("payment", "POST /api/v1/payments")):
        f = figures[name]
        print(f"{route:<24}{f['rps']:>8.0f}{f['p50']:>9.1f}{f['p99']:>9.1f}{f['count']:>10}")
    total_rps = figures["order"]["rps"] + figures["payment"]["rps"]
    worst_p99 = max(figures["order"]["p99"], figures["payment"]["p99"])
    print(f"both routes: {total_rps:.0f} req/s ({figures['payment']['rps']:.0f} order+payment pairs/s)")
    print(f"errors: {len(figures['errors'])} {figures['errors'][:3]}")
    met = total_rps >= 300 and worst_p99 <= 50
    print(f"target >= 300 req/s with p99 <= 50 ms: {'met' if met else 'NOT met'}")

    total = sum(counted.values())
    print(f"\nAWS calls of one payment lifecycle (warm; refund {final['status']}):")
    print(f"{'function':<30}{'service':<16}{'operation':<24}{'calls':>6}")
    for (function, service, operation), n in sorted(counted.items()):
        print(f"{function:<30}{service:<16}{operation:<24}{n:>6}")
    by_service = collections.Counter()
    for (_f, service, _o), n in counted.items():
        by_service[service] += n
    print("by service: " + ", ".join(f"{s} {n}" for s, n in sorted(by_service.items())))
    print(
        f"total {total} (target <= 12: {'met' if total <= 12 else 'NOT met'});"
        f" polling GETs left out: {sum(n for k, n in counter.calls.items() if k[0] in POLLING)} calls"
    )
    summary = {
        "benchmark": "payments",
        "rps": round(total_rps, 1),
        "pairs_per_s": round(figures["payment"]["rps"], 1),
        **{
            f"{name}_{k}_ms": round(figures[name][k], 1)
            for name in ("order", "payment")
            for k in ("p50", "p99")
        },
        "errors": len(figures["errors"]),
        "lifecycle_calls": total,
        "lifecycle_calls_by_service": dict(sorted(by_service.items())),
        "refund_status": final["status"],
    }
    print(json.dumps(summary))
    return 0 if not figures["errors"] and final["status"] == "processed" else 1


if __name__ == "__main__":
    sys.exit(main())
