"""What localcloud costs per request: GET /api/v1/health through the runtime vs a bare endpoint.

Both go through the same HTTP server (localcloud's ThreadingHTTPServer): the bare endpoint answers
a fixed JSON body without API Gateway routing, the proxy event or a Lambda invocation. The clients
run in a separate process (8 threads, one keep-alive connection each) so they do not share the
server's GIL. Prints requests/s, p50 and p99 for both and the ratio of throughputs (target >= 0.5).

    python benchmarks/runtime_overhead.py [--seconds 5] [--clients 8]
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "infra"))

from localcloud.apigateway import Request  # noqa: E402 - after the path set-up above
from localcloud.runtime import LocalCloud  # noqa: E402

HEALTH = "/api/v1/health"
BARE = "/__bare"


def _client(port: int, path: str, stop_at: float, latencies: list[float], errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            errors.append(f"{response.status} {body[:300]!r}")
    connection.close()


def _load(port: int, path: str, seconds: float, clients: int, queue: multiprocessing.Queue) -> None:
    """Runs in a child process: ``clients`` threads hammer ``path`` for ``seconds``."""
    stop_at = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    threads = [
        threading.Thread(target=_client, args=(port, path, stop_at, latencies[i], errors))
        for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = sorted(x for per_client in latencies for x in per_client)
    queue.put({"requests": len(flat), "elapsed": elapsed, "latencies": flat, "errors": errors})


def measure(port: int, path: str, seconds: float, clients: int) -> dict[str, float]:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    _load(port, path, 0.5, 2, queue)  # warm-up: imports, cold start, connection set-up
    queue.get()
    process = multiprocessing.Process(target=_load, args=(port, path, seconds, clients, queue))
    process.start()
    result = queue.get()
    process.join()
    latencies = result["latencies"]
    return {
        "rps": result["requests"] / result["elapsed"],
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "requests": result["requests"],
        "errors": len(result["errors"]),
        "first_errors": result["errors"][:3],
    }


def handler_alone(cloud: LocalCloud, count: int = 300) -> float:
    """Mean ms of the Health handler invoked directly (no HTTP, no routing): the function's own cost."""
    assert cloud.api is not None
    route, params = cloud.api.find("GET", HEALTH)
    event = cloud.api.proxy_event(route, params, Request("GET", HEALTH, [], [], b"", "127.0.0.1"), "bench")
    function = cloud.function("Health")
    started = time.perf_counter()
    for _ in range(count):
        function.invoke(event)
    return (time.perf_counter() - started) / count * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    body = json.dumps({"status": "ok"}).encode()

    def bare(_request: object) -> tuple[int, list[tuple[str, str]], bytes]:
        return 200, [("Content-Type", "application/json")], body

    with LocalCloud(ROOT / "template.yaml", port=0, stack_name="bench", raw_handlers={BARE: bare}) as cloud:
        # the functions log JSON per request; keep the terminal for the figures
        sink = os.open(os.devnull, os.O_WRONLY)
        saved = os.dup(1)
        os.dup2(sink, 1)
        try:
            bare_figures = measure(cloud.bound_port, BARE, args.seconds, args.clients)
            health = measure(cloud.bound_port, HEALTH, args.seconds, args.clients)
            handler_ms = handler_alone(cloud)
        finally:
            os.dup2(saved, 1)
            os.close(sink)

    print(f"runtime overhead: {args.clients} keep-alive clients, {args.seconds:.0f} s each")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'requests':>10}{'errors':>8}")
    for name, figures in (("bare (same HTTP server)", bare_figures), (f"GET {HEALTH}", health)):
        print(
            f"{name:<28}{figures['rps']:>10.0f}{figures['p50_ms']:>10.2f}{figures['p99_ms']:>10.2f}"
            f"{figures['requests']:>10}{figures['errors']:>8}"
        )
    for figures in (bare_figures, health):
        for error in figures["first_errors"]:
            print(f"  error: {error}")
    ratio = health["rps"] / bare_figures["rps"]
    print(f"throughput ratio health/bare: {ratio:.2f} (target >= 0.5)")
    print(
        f"Health handler alone (invoked directly, 4 AWS calls answered by moto): {handler_ms:.2f} ms"
        f" = at most {1000 / handler_ms:.0f} req/s in one process (the GIL serialises it)"
    )
    summary = {
        "benchmark": "runtime_overhead",
        "ratio": round(ratio, 3),
        "handler_alone_ms": round(handler_ms, 2),
    }
    for name, figures in (("bare", bare_figures), ("health", health)):
        summary.update({f"{name}_{k}": round(figures[k], 2) for k in ("rps", "p50_ms", "p99_ms", "errors")})
    print(json.dumps(summary))
    return 0 if health["errors"] == 0 and bare_figures["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
