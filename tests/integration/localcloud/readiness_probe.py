"""Start the product on localcloud and probe its port at every start step; print what was seen (JSON).

Run by ``test_readiness.py`` in a process of its own (one LocalCloud runs per process, and the tests
of this package keep theirs running). Two probers, as a client would meet a fresh start:

- in lockstep: at each start step once the port is bound (the pollers started, each start function
  run) the start waits while one whole probe runs: health, then, if health said 200, an
  authenticated call with the seeded key; one more probe follows once ``start()`` returned.
  Deterministic: a window in which health answers 200 before the seed ran is probed, whatever the
  machine's speed.
- free-running: a thread that polls health from before the start and makes the authenticated call
  at its first 200, as the issue's reporter did.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import requests
from localcloud.runtime import LocalCloud
from paygate_cli.local import local_parameters

from tests.helpers import PRODUCT
from tests.integration.gateway.client import SEED_KEY

AUTH = {"X-Api-Key": SEED_KEY[0], "X-Api-Secret": SEED_KEY[1]}
MARK = "readiness: "  # the functions log JSON to stdout too: the result is the line after this mark


def probe(base: str) -> dict[str, Any]:
    """One client's view: health's status (or "refused"), then the seeded key's, if health said 200."""
    try:
        health = requests.get(f"{base}/api/v1/health", timeout=30)
    except requests.ConnectionError:
        return {"health": "refused"}
    seen: dict[str, Any] = {"health": health.status_code, "body": health.text[:200]}
    if health.status_code == 200:
        orders = requests.get(f"{base}/api/v1/orders?limit=1", headers=AUTH, timeout=30)
        seen["authenticated"] = orders.status_code
    return seen


def main() -> None:
    lockstep: list[dict[str, Any]] = []
    free: dict[str, Any] = {}
    started = threading.Event()
    cloud = LocalCloud(PRODUCT, port=0, stack_name="paygate", parameters=local_parameters(PRODUCT))

    def at_step(done: str) -> None:
        if cloud.bound_port:  # 0 until the server's socket is bound (its port then known)
            lockstep.append({"step": done, **probe(cloud.url)})
            started.set()

    def poll() -> None:
        started.wait()
        while "first_200" not in free:
            seen = probe(cloud.url)
            free["polls"] = free.get("polls", 0) + 1
            if seen["health"] == 200:
                free["first_200"] = seen

    cloud.progress = at_step
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    with cloud:
        lockstep.append({"step": "started", **probe(cloud.url)})
        poller.join(timeout=60)
    print(MARK + json.dumps({"lockstep": lockstep, "free": free}), flush=True)


if __name__ == "__main__":
    main()
