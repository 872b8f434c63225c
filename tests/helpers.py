"""Helpers shared by the tests."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_APP = ROOT / "tests" / "localcloud_app" / "template.yaml"
PRODUCT = ROOT / "template.yaml"
STACKS = ROOT / "infra" / "stacks"  # one nested stack per bounded context
T = TypeVar("T")


def at_once(*calls: Callable[[], T]) -> list[T]:
    """Run ``calls`` in threads released together by a barrier (the races of the concurrency tests);
    their results in order, an exception of any re-raised in the test's thread."""
    gate = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], T]) -> None:
        gate.wait()
        try:
            results[index] = call()
        except BaseException as exc:  # surfaced below, in the test's thread
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def wait_for(
    probe: Callable[[], T], timeout: float = 30.0, interval: float = 0.1, what: str = "condition"
) -> T:
    """Poll ``probe`` until it returns something truthy; fail the test naming ``what`` on timeout. The
    default is generous: it costs nothing when the condition comes, and `make test` runs two workers
    on two cores, each with its own runtime, pollers and servers."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what} (last value: {value!r})")
        time.sleep(interval)


GATEWAY_LINE = "paygate is running on localcloud at "
SHOP_LINE = "  demo shop   "


@contextmanager
def paygate_local(*overrides: str, timeout: float = 90) -> Iterator[dict[str, str]]:
    """``paygate local --port 0`` in its own process, as a user starts it (one LocalCloud runs per
    process); yields the URLs of its banner, ``gateway`` and ``shop``."""
    command = [sys.executable, "-m", "paygate_cli", "local", "--port", "0"]
    if overrides:
        command += ["--parameter-overrides", *overrides]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    found: dict[str, str] = {}
    ready = threading.Event()

    def read() -> None:
        # Read to the end: the functions log to stdout, and a full pipe would stall the gateway.
        for line in process.stdout:  # type: ignore[union-attr]
            if line.startswith(GATEWAY_LINE):
                found["gateway"] = line[len(GATEWAY_LINE) :].strip()
            elif line.startswith(SHOP_LINE) and "gateway" in found and "shop" not in found:
                found["shop"] = line[len(SHOP_LINE) :].strip()
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(timeout=timeout), f"paygate local did not start within {timeout} s"
        yield found
    finally:
        process.terminate()
        process.wait(timeout=20)


def template_api_routes() -> set[tuple[str, str]]:
    """(lower-case method, path) of every route of the product's API: the paths of the root API's
    OpenAPI body (the contexts' routes) and the Api events of the root's own functions."""
    from samtranslator.yaml_helper import yaml_parse

    resources = yaml_parse(PRODUCT.read_text())["Resources"]
    routes = set()
    for path, operations in resources["PaygateApi"]["Properties"]["DefinitionBody"]["paths"].items():
        routes.update((method, path) for method in operations)
    for resource in resources.values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            if event.get("Type") == "Api":
                routes.add((event["Properties"]["Method"].lower(), event["Properties"]["Path"]))
    return routes


# Debian's Chromium, headless. Without the background-networking flags its calls out are refused by this
# machine's closed network, many at a time (the env notes).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
