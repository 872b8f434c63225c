from __future__ import annotations

from paygate.core.clock import iso_now
from paygate.core.settings import HealthEnv
from paygate.health import probes
from paygate.health.models import HealthReport


def health_report(env: HealthEnv) -> HealthReport:
    """Ready means ready (DESIGN.md 4.7): every dependency answers and, in test mode, the seeded
    merchant exists, so a client that waited for 200 can use the documented key at once."""
    checks = [probes.table(name) for name in env.health_check_tables]
    checks += [probes.queue(url) for url in env.health_check_queues]
    if not all(check.status == "ok" for check in checks):
        return HealthReport(status="degraded", checks=checks, time=iso_now())
    if env.test_mode:
        checks.append(probes.seeded_test_merchant())
    status = "ok" if all(check.status == "ok" for check in checks) else "starting"
    return HealthReport(status=status, checks=checks, time=iso_now())
