from __future__ import annotations

from paygate.core.clock import iso_now
from paygate.core.settings import HealthEnv
from paygate.health import probes
from paygate.health.models import HealthReport


def health_report(env: HealthEnv) -> HealthReport:
    checks = [probes.table(name) for name in env.health_check_tables]
    checks += [probes.queue(url) for url in env.health_check_queues]
    status = "ok" if all(check.status == "ok" for check in checks) else "degraded"
    return HealthReport(status=status, checks=checks, time=iso_now())
