"""Cold import time of every function's handler module, as a ratio to a bare ``import boto3``.

Each measurement is a fresh interpreter: ``python -X importtime -c "import app"`` in the function's
folder, with the layer on ``sys.path`` first and the function's environment from template.yaml (plus
the variables the Lambda runtime sets, LAMBDA_TASK_ROOT among them), so the handler module imports
as on a cold start; it makes no AWS call. The figure is importtime's cumulative microseconds of the
``app`` line (of ``boto3`` for the baseline, measured the same way in the same run), the median of
``--repeat`` runs per function. The self times of all modules are grouped by package to show what
dominates. Target: max <= 1.5x boto3.

    python benchmarks/import_time.py [--repeat 3] [--only health,create_payment]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lambdas import LAYER, ROOT, Function, functions

LAMBDA_VARIABLES = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",  # never used: importing makes no call
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
}


def _run(code: str, cwd: Path, environment: dict[str, str]) -> list[tuple[str, int, int]]:
    """(module, self us, cumulative us) of every import of one fresh ``python -X importtime -c code``."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **LAMBDA_VARIABLES, **environment}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{cwd.name}: {done.stderr.strip().splitlines()[-1:]}")
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:") :].split("|")
        rows.append((name.strip(), int(own), int(cumulative)))
    return rows


def _cumulative(rows: list[tuple[str, int, int]], module: str) -> int:
    return next(c for name, _s, c in rows if name == module)


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] in ("paygate", "aws_lambda_powertools") else parts[0]


def measure(selected: list[Function], repeat: int) -> dict:
    layer = f"import sys; sys.path.insert(0, {str(LAYER)!r}); sys.path.insert(0, '.'); "
    baseline = [
        _cumulative(_run(layer + "import boto3", ROOT, {"AWS_LAMBDA_FUNCTION_NAME": "bench"}), "boto3")
        for _ in range(repeat)
    ]
    per_function: dict[str, float] = {}
    by_package: dict[str, list[float]] = collections.defaultdict(list)  # per function medians
    by_module: dict[str, list[tuple[int, int]]] = collections.defaultdict(list)
    for function in selected:
        env = {
            **function.environment,
            "AWS_LAMBDA_FUNCTION_NAME": f"paygate-{function.logical_id}",
            # Lambda sets it; without it the X-Ray SDK believes it is off Lambda and builds its
            # centralized-sampling clients at import (two botocore clients, ~300 ms) it never uses there.
            "LAMBDA_TASK_ROOT": str(function.code_dir),
        }
        times, packages = [], collections.defaultdict(list)
        for _ in range(repeat):
            rows = _run(layer + "import app", function.code_dir, env)
            times.append(_cumulative(rows, "app"))
            totals: collections.Counter[str] = collections.Counter()
            for name, own, cumulative in rows:
                if name != "app":
                    totals[_package(name)] += own
                    by_module[name].append((own, cumulative))
            for name, total in totals.items():
                packages[name].append(total)
        per_function[function.code_dir.name] = statistics.median(times) / 1000
        for name, values in packages.items():
            by_package[name].append(statistics.median(values) / 1000)
    boto3_ms = statistics.median(baseline) / 1000
    n = len(selected)
    # a package a function does not import costs it 0 ms: the median over all functions
    package_ms = {name: statistics.median(v + [0.0] * (n - len(v))) for name, v in by_package.items()}
    top_packages = sorted(package_ms.items(), key=lambda kv: -kv[1])[:5]
    module_cum = {name: statistics.median(c for _o, c in v) / 1000 for name, v in by_module.items()}
    module_self = {name: statistics.median(o for o, _c in v) / 1000 for name, v in by_module.items()}
    top_self = sorted(module_self.items(), key=lambda kv: -kv[1])[:5]
    worst = max(per_function, key=per_function.__getitem__)
    median_ms = statistics.median(per_function.values())
    return {
        "repeat": repeat,
        "functions": n,
        "boto3_ms": round(boto3_ms, 1),
        "max_ms": round(per_function[worst], 1),
        "max_function": worst,
        "median_ms": round(median_ms, 1),
        "min_ms": round(min(per_function.values()), 1),
        "max_ratio": round(per_function[worst] / boto3_ms, 2),
        "median_ratio": round(median_ms / boto3_ms, 2),
        "top_packages_self_ms": [[name, round(ms, 1)] for name, ms in top_packages],
        "top_modules_self_ms": [[name, round(ms, 1), round(module_cum[name], 1)] for name, ms in top_self],
        "per_function_ms": {k: round(v, 1) for k, v in sorted(per_function.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated function folders")
    args = parser.parse_args()
    selected = functions()
    if args.only:
        wanted = set(args.only.split(","))
        selected = [f for f in selected if f.code_dir.name in wanted]
    result = measure(selected, args.repeat)

    print(
        f"cold import of {result['functions']} handler modules, median of {args.repeat} fresh processes each"
    )
    print(f"bare `import boto3`: {result['boto3_ms']:.0f} ms")
    for label, ms, ratio in (
        (f"max ({result['max_function']})", result["max_ms"], result["max_ratio"]),
        ("median over functions", result["median_ms"], result["median_ratio"]),
    ):
        print(f"{label:<36}{ms:>8.0f} ms {ratio:>6.2f}x boto3")
    print(f"target max <= 1.5x boto3: {'met' if result['max_ratio'] <= 1.5 else 'NOT met'}")
    print("top 5 packages by own import time (median over functions, ms):")
    for name, ms in result["top_packages_self_ms"]:
        print(f"  {name:<40}{ms:>8.1f}")
    print("top 5 modules by own import time (median where imported, ms; cumulative):")
    for name, ms, cumulative in result["top_modules_self_ms"]:
        print(f"  {name:<40}{ms:>8.1f}{cumulative:>8.1f}")
    print(json.dumps({"benchmark": "import_time", **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
