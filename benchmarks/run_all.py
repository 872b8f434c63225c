"""`make bench`: run every benchmark, one process each, and write benchmarks/RESULTS.md.

Each benchmark prints its figures for people and, last, one JSON line ``{"benchmark": name, ...}``;
this script collects those lines and writes the figure table with the machine it ran on and the date.

    python benchmarks/run_all.py [--only cost,deploy_size] [--out benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sections

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

BENCHMARKS: list[tuple[str, list[str]]] = [
    ("runtime_overhead", []),
    ("payments", []),
    ("webhooks", []),
    ("import_time", ["--repeat", "3"]),
    ("deploy_size", []),
    ("cost", []),
    ("capacity", []),  # also writes its own section of RESULTS.md (kept below with the others)
    ("stripe_compare", ["--count", "200"]),
]


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{memory_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    return {
        "cpu": f"{cpu} ({platform.machine()})",
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
    }


def run(name: str, args: list[str]) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE / f"{name}.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    seconds = time.perf_counter() - started
    figures = {}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith('{"benchmark"'):
            figures = json.loads(line)
            break
    human = [line for line in done.stdout.splitlines() if not line.startswith("{")]
    print(f"--- {name}: exit {done.returncode}, {seconds:.0f} s", flush=True)
    print("\n".join(human), flush=True)
    if done.returncode != 0:
        print(done.stderr[-2000:], flush=True)
    return {
        "name": name,
        "exit": done.returncode,
        "seconds": round(seconds, 1),
        "load": (round(load_before, 2), round(os.getloadavg()[0], 2)),
        "figures": figures,
        "output": human,
    }


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def summary_rows(results: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    f = results.get("runtime_overhead", {}).get("figures")
    if f:
        rows.append(
            (
                "`GET /api/v1/health` through localcloud vs bare endpoint (8 clients)",
                f"{f['health_rps']:.0f} vs {f['bare_rps']:.0f} req/s, ratio {f['ratio']:.2f};"
                f" p99 {f['health_p99_ms']:.0f} ms; handler alone {f['handler_alone_ms']:.1f} ms",
                f"ratio >= 0.5: {_met(f['ratio'] >= 0.5)}",
            )
        )
    f = results.get("payments", {}).get("figures")
    if f:
        p99 = max(f["order_p99_ms"], f["payment_p99_ms"])
        rows.append(
            (
                "create-order + create-payment (8 clients)",
                f"{f['rps']:.0f} req/s ({f['pairs_per_s']:.0f} pairs/s), p50 {f['order_p50_ms']:.0f} /"
                f" {f['payment_p50_ms']:.0f} ms, p99 {p99:.0f} ms, {f['errors']} errors",
                f">= 300 req/s, p99 <= 50 ms: {_met(f['rps'] >= 300 and p99 <= 50)}",
            )
        )
        by = ", ".join(f"{k} {v}" for k, v in f["lifecycle_calls_by_service"].items())
        rows.append(
            (
                "gateway AWS calls of one payment lifecycle",
                f"{f['lifecycle_calls']} ({by})",
                f"<= 12: {_met(f['lifecycle_calls'] <= 12)}",
            )
        )
    f = results.get("webhooks", {}).get("figures")
    if f:
        rows.append(
            (
                "payment `success` -> verified webhook at the receiver",
                f"p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms, max {f['max_ms']:.0f} ms,"
                f" {f['missing']} missing",
                f"p50 <= 1 s, p95 <= 2 s: {_met(f['p50_ms'] <= 1000 and f['p95_ms'] <= 2000)}",
            )
        )
    f = results.get("import_time", {}).get("figures")
    if f:
        rows.append(
            (
                f"cold import of the handler module ({f['functions']} functions, median of {f['repeat']})",
                f"max {f['max_ms']:.0f} ms ({f['max_function']}) = {f['max_ratio']:.2f}x, median"
                f" {f['median_ms']:.0f} ms = {f['median_ratio']:.2f}x"
                f" a bare `import boto3` ({f['boto3_ms']:.0f} ms)",
                f"max <= 1.5x: {_met(f['max_ratio'] <= 1.5)}",
            )
        )
    f = results.get("deploy_size", {}).get("figures")
    if f:
        rows.append(
            (
                "layer zip (arm64 wheels, without the runtime's boto3/botocore/...)",
                f"{f['layer_zip_mb']:.2f} MB zipped, {f['layer_unzipped_mb']:.2f} MB unzipped;"
                f" functions {f['function_zip_bytes_min']}-{f['function_zip_bytes_max']} B zipped",
                f"<= 5 MB zipped: {_met(f['layer_zip_mb'] <= 5)}",
            )
        )
    f = results.get("cost", {}).get("figures")
    if f:
        rows.append(
            (
                "AWS cost of one million payment lifecycles (us-east-1, with webhooks)",
                f"USD {f['usd_per_million_total']:.0f} (Step Functions"
                f" {f['usd_per_million']['stepfunctions_state_transition']:.0f})",
                "-",
            )
        )
    f = results.get("capacity", {}).get("figures")
    if f:
        binding = f["binding"]
        rows.append(
            (
                "sustained payment lifecycles/s per region at default AWS quotas (benchmarks/capacity.py)",
                f"{f['lifecycles_per_s']:,.0f} (binding: {binding['quota']}, {binding['per_lifecycle']:g}"
                f" {binding['use']} per lifecycle); one merchant {f['merchant_lifecycles_per_s']:,.0f}",
                f">= 500: {_met(f['lifecycles_per_s'] >= 500)}",
            )
        )
        rows.append(
            (
                "AWS cost of one million lifecycles with webhooks (capacity run)",
                f"USD {f['usd_per_million_total']:.2f}",
                f"<= 50: {_met(f['usd_per_million_total'] <= 50)}",
            )
        )
    f = results.get("stripe_compare", {}).get("figures")
    if f:
        rows.append(
            (
                "create + confirm a payment intent, sequential: paygate vs stripe SDK on localstripe",
                f"p50 {f['paygate']['pair']['p50_ms']:.0f} vs {f['stripe']['pair']['p50_ms']:.0f} ms"
                f" ({f['ratio_p50']:.1f}x), p95 {f['paygate']['pair']['p95_ms']:.0f} vs"
                f" {f['stripe']['pair']['p95_ms']:.0f} ms ({f['ratio_p95']:.1f}x)",
                "-",
            )
        )
    return rows


def _details(results: dict[str, dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    f = results.get("import_time", {}).get("figures")
    if f:
        lines += [
            "",
            "### Cold import: what dominates",
            "",
            "| package | own import ms (median over functions) |",
        ]
        lines += ["| --- | --- |"] + [f"| `{n}` | {ms:.1f} |" for n, ms in f["top_packages_self_ms"]]
        lines += ["", "| module | own ms | cumulative ms |", "| --- | --- | --- |"]
        lines += [f"| `{n}` | {ms:.1f} | {c:.1f} |" for n, ms, c in f["top_modules_self_ms"]]
    f = results.get("deploy_size", {}).get("figures")
    if f:
        lines += [
            "",
            "### Deployed size",
            "",
            f"Layer distributions: {', '.join(f['distributions'])} (every one had a manylinux2014_aarch64 or"
            f" pure-Python wheel). Left out as provided by the python3.11 runtime:"
            f" {', '.join(f['runtime_provided_excluded'])}. With them the layer would be"
            f" {f['layer_with_runtime_sdk_zip_mb']:.2f} MB zipped. Biggest (unzipped MB): "
            + ", ".join(f"{n} {s}" for n, s in f["layer_biggest_unzipped_mb"])
            + f". Function zips: {f['functions']}, median {f['function_zip_bytes_median']} B,"
            f" total {f['function_zip_bytes_total']} B.",
        ]
    f = results.get("cost", {}).get("figures")
    if f:
        lines += [
            "",
            f"### Cost model ({f['region']}; prices: benchmarks/prices.py, {f['prices']})",
            "",
            "| item | per lifecycle | USD per million lifecycles |",
            "| --- | --- | --- |",
        ]
        for name, count in f["usage_per_lifecycle"].items():
            lines.append(f"| {name} | {count:g} | {f['usd_per_million'][name]:.2f} |")
        lines += [
            f"| **total** | | **{f['usd_per_million_total']:.2f}** |",
            "",
            f"Lambda billed at {f['assumed_ms']} ms per invocation (assumed); with the durations measured in"
            f" localcloud ({f['lambda_gb_seconds_measured']:g} GB-s) the total is"
            f" {f['usd_per_million_with_measured_durations']:.2f}."
            f" {f['webhook_deliveries']} webhook deliveries;"
            f" state transitions {json.dumps(f['transitions_per_machine'])}. Out of scope: CloudWatch Logs,"
            " X-Ray, CloudFront/S3, data transfer, idle SQS long polls, INIT (cold start) time, free tiers.",
        ]
    return lines


def write(results: dict[str, dict[str, Any]], out: Path, started: datetime.datetime) -> None:
    info = machine()
    loads = [r["load"] for r in results.values()]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (benchmarks/run_all.py) on {started:%Y-%m-%d %H:%M} UTC.",
        "",
        "| machine | |",
        "| --- | --- |",
        f"| CPU | {info['cpu']} |",
        f"| cores | {info['cores']} |",
        f"| memory | {info['memory']} |",
        f"| Python | {info['python']} |",
        f"| OS | {info['os']} |",
        f"| 1-min load average before/after each benchmark | {', '.join(f'{a}/{b}' for a, b in loads)} |",
        "",
        "A load average above 0 before a benchmark means other work shared the machine while it ran.",
        "",
        "| figure | measured | target |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in summary_rows(results)]
    lines += _details(results)
    kept = sections.read_all(out)  # what `make soak` wrote stays
    if kept:
        lines += ["", *"".join(kept).rstrip("\n").split("\n")]
    lines += ["", "### Runs", "", "| benchmark | exit | seconds |", "| --- | --- | --- |"]
    lines += [f"| {r['name']} | {r['exit']} | {r['seconds']:.0f} |" for r in results.values()]
    lines += ["", "<details><summary>Printed output</summary>", ""]
    for r in results.values():
        lines += [f"#### {r['name']}", "", "```", *r["output"], "```", ""]
    lines += ["</details>", ""]
    out.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else None
    started = datetime.datetime.now(datetime.UTC)
    chosen = [(name, extra) for name, extra in BENCHMARKS if wanted is None or name in wanted]
    results = {}
    with Progress(
        TextColumn("bench {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task("", total=len(chosen))
        for name, extra in chosen:
            bar.update(task, description=name)
            results[name] = run(name, extra)
            bar.advance(task)
    write(results, args.out, started)
    print(f"wrote {args.out} in {(datetime.datetime.now(datetime.UTC) - started).total_seconds():.0f} s")
    return 0 if all(r["exit"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
