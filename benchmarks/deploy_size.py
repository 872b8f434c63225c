"""Deployed size of the layer and of each function: what `sam build` would ship, built without SAM.

The layer (BuildMethod python3.11, arm64): ``pip install --platform manylinux2014_aarch64
--only-binary=:all: --python-version 3.11 --implementation cp --no-compile -t DIR -r
layers/paygate/requirements.txt`` (aws-lambda-builders unpacks wheels without compiling them), minus
the distributions the Python 3.11 Lambda runtime already provides (RUNTIME_PROVIDED, removed by their
wheel RECORD), plus the layer folder itself (the paygate package) - all under ``python/`` as a layer
zip lays them out. Zipped with zipfile (deflate, level 6). Each function: its CodeUri folder.
Target: layer <= 5 MB zipped.

    python benchmarks/deploy_size.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lambdas import LAYER, functions

# In the python3.11 Lambda runtime (AWS SDK for Python and its dependencies); the layer relies on them.
RUNTIME_PROVIDED = ["boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"]
MB = 1024 * 1024


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def install(target: Path) -> list[tuple[str, str]]:
    """pip install the layer's requirements for the Lambda target into ``target``; (name, version)s."""
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--platform", "manylinux2014_aarch64", "--only-binary=:all:", "--python-version", "3.11",
            "--implementation", "cp", "--no-compile", "-t", str(target),
            "-r", str(LAYER / "requirements.txt"),
        ],
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    found = []
    for info in sorted(target.glob("*.dist-info")):
        name, _, version = info.name[: -len(".dist-info")].rpartition("-")
        found.append((name, version))
    return found


def drop_runtime_provided(target: Path) -> int:
    """Delete the files of the RUNTIME_PROVIDED distributions (by their RECORD); bytes removed."""
    removed = 0
    wanted = {_normal(n) for n in RUNTIME_PROVIDED}
    for info in list(target.glob("*.dist-info")):
        name = info.name[: -len(".dist-info")].rpartition("-")[0]
        if _normal(name) not in wanted:
            continue
        with open(info / "RECORD", newline="") as record:
            for row in csv.reader(record):
                path = target / row[0]
                if path.is_file():
                    removed += path.stat().st_size
                    path.unlink()
    for folder in sorted(target.rglob("*"), reverse=True):  # now-empty folders
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def zipped(entries: list[tuple[Path, str]]) -> tuple[int, int]:
    """(zipped bytes, unzipped bytes) of a deflate zip of ``(file, name in the zip)`` entries."""
    buffer = io.BytesIO()
    raw = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path, name in entries:
            archive.write(path, name)
            raw += path.stat().st_size
    return len(buffer.getvalue()), raw


def measure(keep: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="paygate-layer-") as temporary:
        target = keep or Path(temporary) / "python"
        started = time.perf_counter()
        distributions = install(target)
        install_s = time.perf_counter() - started
        own = [(p, "python/" + str(p.relative_to(LAYER))) for p in _files(LAYER)]
        every = own + [(p, "python/" + str(p.relative_to(target))) for p in _files(target)]
        with_runtime, with_runtime_raw = zipped(every)
        drop_runtime_provided(target)
        layer_zip, layer_raw = zipped(
            own + [(p, "python/" + str(p.relative_to(target))) for p in _files(target)]
        )
        by_package: dict[str, int] = {}
        for p in _files(target):
            top = p.relative_to(target).parts[0]
            by_package[top] = by_package.get(top, 0) + p.stat().st_size
    per_function = {
        f.code_dir.name: zipped([(p, str(p.relative_to(f.code_dir))) for p in _files(f.code_dir)])[0]
        for f in functions()
    }
    sizes = sorted(per_function.values())
    biggest = sorted(by_package.items(), key=lambda kv: -kv[1])[:5]
    return {
        "distributions": [f"{n}=={v}" for n, v in distributions],
        "runtime_provided_excluded": RUNTIME_PROVIDED,
        "install_s": round(install_s, 1),
        "layer_zip_mb": round(layer_zip / MB, 2),
        "layer_unzipped_mb": round(layer_raw / MB, 2),
        "layer_with_runtime_sdk_zip_mb": round(with_runtime / MB, 2),
        "layer_with_runtime_sdk_unzipped_mb": round(with_runtime_raw / MB, 2),
        "layer_biggest_unzipped_mb": [[n, round(s / MB, 2)] for n, s in biggest],
        "functions": len(sizes),
        "function_zip_bytes_min": sizes[0],
        "function_zip_bytes_median": int(statistics.median(sizes)),
        "function_zip_bytes_max": sizes[-1],
        "function_zip_bytes_total": sum(sizes),
        "per_function_zip_bytes": dict(sorted(per_function.items())),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="install into this folder and keep it")
    args = parser.parse_args()
    result = measure(args.keep)
    print("layer as `sam build` would ship it (arm64, Python 3.11 wheels)")
    print(
        f"distributions ({len(result['distributions'])}, all had a wheel):"
        f" {' '.join(result['distributions'])}"
    )
    print(f"left out, provided by the python3.11 runtime: {', '.join(RUNTIME_PROVIDED)}")
    print(
        f"layer zip: {result['layer_zip_mb']:.2f} MB zipped, {result['layer_unzipped_mb']:.2f} MB unzipped"
        f" (target <= 5 MB zipped: {'met' if result['layer_zip_mb'] <= 5 else 'NOT met'});"
        f" with the runtime's SDK too: {result['layer_with_runtime_sdk_zip_mb']:.2f} MB zipped,"
        f" {result['layer_with_runtime_sdk_unzipped_mb']:.2f} MB unzipped"
    )
    print(
        "biggest in the layer (unzipped MB): "
        + ", ".join(f"{n} {s}" for n, s in result["layer_biggest_unzipped_mb"])
    )
    print(
        f"{result['functions']} function zips: min {result['function_zip_bytes_min']} B,"
        f" median {result['function_zip_bytes_median']} B, max {result['function_zip_bytes_max']} B,"
        f" total {result['function_zip_bytes_total']} B"
    )
    print(json.dumps({"benchmark": "deploy_size", **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
