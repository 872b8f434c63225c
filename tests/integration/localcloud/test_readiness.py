"""Ready means ready (DESIGN.md 4.7): the first 200 of ``GET /api/v1/health`` after a fresh start is
followed by a successful call with the seeded key, every time.

Each start runs in a process of its own (``readiness_probe.py``): a LocalCloud per process, and this
package keeps its own running. The probe looks at every start step in lockstep (so the window in which
the issue saw a 401 in 1 start of 6 is probed on every run) and also polls freely from another thread.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.helpers import ROOT
from tests.integration.localcloud.readiness_probe import MARK

STARTS = 2  # each is a fresh process and a fresh stack (~10 s on the shared 2 cores)


def fresh_start() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.localcloud.readiness_probe"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith(MARK))
    return json.loads(line[len(MARK) :])


@pytest.mark.slow
@pytest.mark.parametrize("start", range(STARTS))
def test_first_health_200_is_followed_by_a_working_seed_key(start: int) -> None:
    seen = fresh_start()
    lockstep = seen["lockstep"]
    answered = [probe for probe in lockstep if probe["health"] == 200]
    # Given: the port was probed at the start steps while it was bound, and answered at the end
    assert lockstep, "no start step was probed"
    assert answered, f"health never answered 200 during start: {lockstep[-3:]}"
    # Then: whenever health said ready, the seeded key worked; before that nothing claimed readiness
    not_ready = [probe for probe in answered if probe["authenticated"] != 200]
    assert not not_ready, f"health answered 200 before the seed key worked: {not_ready}"
    assert all(probe["health"] in ("refused", 200, 503) for probe in lockstep), lockstep
    # And: the free-running client's first 200 was followed by a working key as well
    assert seen["free"]["first_200"]["authenticated"] == 200, seen["free"]
