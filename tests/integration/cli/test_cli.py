"""`paygate local` in its own process: URLs printed, clean stop on SIGTERM, exit 2 on a bad template."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests

from tests.helpers import ROOT, wait_for

PAYGATE = Path(sys.executable).with_name("paygate")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def test_paygate_local_serves_and_stops_on_sigterm() -> None:
    port = _free_port()
    # TTY_COMPATIBLE: rich draws its start-up bar as on a terminal (stderr is a pipe here)
    process = subprocess.Popen(
        [PAYGATE, "local", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"},
    )
    try:
        wait_for(lambda: _healthy(f"http://127.0.0.1:{port}/api/v1/health"), timeout=60, what="the gateway")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0
    assert f"http://127.0.0.1:{port}/checkout" in out
    assert f"http://127.0.0.1:{port}/dashboard" in out
    assert "paygate local: stopped" in out
    # the progress bar (stderr) went through every resource and ended with the seed
    assert "paygate local: ran Merchants/SeedTestMerchant" in err


def test_paygate_local_names_the_bad_resource_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "template.yaml"
    bad.write_text("Resources:\n  Cache:\n    Type: AWS::ElastiCache::CacheCluster\n")
    done = subprocess.run(
        [PAYGATE, "local", "--template", str(bad), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "Cache" in done.stderr and "AWS::ElastiCache::CacheCluster" in done.stderr
